import Tandem

extension MigrationEngine {
    /// Sets up a migration over the stores two arguments name: SQLite files or PostgreSQL URLs (see
    /// ``RecordBackends/open(primary:shadow:writer:)``).
    ///
    /// - Throws: `EngineError` when a store cannot be opened or the plan's gate settings are out of range.
    public convenience init(
        plan: MigrationPlan, primary: String, shadow: String, configuration: Configuration = .init(),
        onTransition: (@Sendable (BreakerTransition) -> Void)? = nil,
        onConnectionEvent: (@Sendable (PostgresConnectionEvent) -> Void)? = nil
    ) throws(EngineError) {
        let backend: any RecordBackend
        do {
            backend = try RecordBackends.open(
                primary: primary, shadow: shadow, writer: configuration.writer, onConnectionEvent: onConnectionEvent)
        } catch {
            throw EngineError(error)
        }
        try self.init(plan: plan, backend: backend, configuration: configuration, onTransition: onTransition)
    }
}
