import Tandem
import TandemPostgres
import Testing

@Suite("PostgreSQL store URLs")
struct PostgresLocationTests {
    @Test
    func aURLNamesTheServerDatabaseTableAndTLS() throws {
        let location = try PostgresLocation(
            url: "postgres://app@db.internal:6543/orders?table=audit.orders_v2&sslmode=require", environment: [:])
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.user == "app")
        #expect(location.password == nil)
        #expect(location.database == "orders")
        #expect(location.table == "audit.orders_v2")
        #expect(location.sslMode == .require)
        let defaults = try PostgresLocation(url: "postgresql://app@db/orders", environment: [:])
        #expect(defaults.port == 5432 && defaults.table == nil && defaults.sslMode == .prefer)
        #expect(PostgresLocation.isURL("postgres://x@y/z") && !PostgresLocation.isURL("stores/primary.sqlite"))
    }

    @Test
    func thePasswordComesFromTheURLOrPGPASSWORDAndIsNeverShown() throws {
        let inURL = try PostgresLocation(url: "postgres://app:s3cret@db/orders", environment: ["PGPASSWORD": "other"])
        #expect(inURL.password == "s3cret")
        #expect(!inURL.description.contains("s3cret"))
        let fromEnvironment = try PostgresLocation(url: "postgres://app@db/orders", environment: ["PGPASSWORD": "pw"])
        #expect(fromEnvironment.password == "pw")
        let error = storeError { () throws(StoreError) in
            _ = try PostgresLocation(url: "postgres://app:s3cret@db/orders?table=1bad", environment: [:])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path?.contains("s3cret") == false)
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test(arguments: [
        ("postgres://db/orders", "no user"),
        ("postgres://app@db", "no database"),
        ("postgres://app@db/orders?table=a;drop", "not a plain table name"),
        ("postgres://app@db/orders?table=a.b.c", "not a plain table name"),
        ("postgres://app@db/orders?sslmode=sometimes", "sslmode 'sometimes'"),
        ("postgres://app@db/orders?tabel=x", "unknown URL parameter 'tabel'"),
        ("mysql://app@db/orders", "starts with postgres://"),
    ])
    func aBadURLIsRefusedNamingWhatIsWrong(url: String, expected: String) {
        let error = storeError { () throws(StoreError) in _ = try PostgresLocation(url: url, environment: [:]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test
    func aFileAndAURLCannotBeOneMigrationsStores() {
        let error = storeError { () throws(StoreError) in
            _ = try RecordBackends.open(
                primary: "postgres://app@127.0.0.1:1/db", shadow: "shadow.sqlite", writer: .init())
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("both stores must be of one kind") == true)
    }
}
