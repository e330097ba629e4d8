import SwiftProtobuf
import Tandem

extension TandemMigration {
    /// Opens the stores two arguments name, SQLite files or PostgreSQL URLs (see
    /// ``RecordBackends/open(primary:shadow:writer:)``), for the generated types `V2` and `V1`.
    ///
    /// - Throws: `TandemMigrationError` as `TandemMigration.init(plan:primaryPath:shadowPath:configuration:)`.
    public convenience init(
        plan: MigrationPlan, primary: String, shadow: String, configuration: TandemMigrationConfiguration = .init()
    ) throws(TandemMigrationError) {
        try self.init(plan: plan, configuration: configuration) { (writer) throws(StoreError) -> any RecordBackend in
            try RecordBackends.open(primary: primary, shadow: shadow, writer: writer)
        }
    }
}
