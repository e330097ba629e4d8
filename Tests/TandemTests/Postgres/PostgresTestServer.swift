import Foundation
import Tandem
import TandemPostgres
import Testing

/// The PostgreSQL server the tests use: `TANDEM_PG_URL` (`bash .ci/run` starts a throwaway cluster and sets it; by
/// hand, any server of yours: `TANDEM_PG_URL=postgres://USER@HOST:PORT/DB swift test`). Without it the PostgreSQL tests are skipped, saying why, except under
/// CI (`TANDEM_CI=1`), where a missing server fails the run.
enum PostgresTestServer {
    static let url: String? = ProcessInfo.processInfo.environment["TANDEM_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = ProcessInfo.processInfo.environment["TANDEM_CI"] == "1"
    static let skipReason = Comment(
        rawValue: "TANDEM_PG_URL is not set, so the PostgreSQL tests are skipped: run `bash .ci/run`, or "
            + "set it to a server of yours (postgres://USER@HOST:PORT/DB)")

    /// The server's location.
    static func location() throws -> PostgresLocation {
        guard let url else { throw PostgresTestServerMissing() }
        return try PostgresLocation(url: url)
    }

    /// Two tables no other test uses (they live as long as the throwaway cluster).
    static func freshTables() throws -> (primary: PostgresLocation, shadow: PostgresLocation) {
        let base = try location()
        let stem = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return (base.naming(table: stem + "_v2"), base.naming(table: stem + "_v1"))
    }
}

struct PostgresTestServerMissing: Error, CustomStringConvertible {
    var description: String { "TANDEM_PG_URL is not set" }
}

@Suite("PostgreSQL test server")
struct PostgresTestServerTests {
    /// Under CI the PostgreSQL tests must run: a missing server is a failure, never a silent skip.
    @Test(.enabled(if: PostgresTestServer.required, "not under CI (TANDEM_CI is not 1)"))
    func ciProvidesAServer() {
        #expect(PostgresTestServer.url != nil, "CI must export TANDEM_PG_URL (.ci/run starts the server)")
    }

    @Test(.enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
    func theBackendContractSuiteRunsAgainstPostgres() {
        #expect(BackendKind.allCases.contains(.postgresOutbox))
    }
}
