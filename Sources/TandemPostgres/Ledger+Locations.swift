import Tandem

extension Ledger {
    /// Opens the ledger `ledger` names for writing: a PostgreSQL URL (a fleet ledger, shared by many processes) or
    /// an SQLite file, as `open(path:configuration:initial:)`. With `initial`, this instance's first checkpoint is
    /// written as it opens.
    ///
    /// - Throws: `LedgerError` naming the file or the URL (without its password); a URL that does not parse is
    ///   `openFailed` with the part that is wrong.
    public static func open(at ledger: String, configuration: Configuration = .init(), initial: Report? = nil)
        throws(LedgerError) -> Ledger
    {
        guard PostgresLocation.isURL(ledger) else {
            return try open(path: ledger, configuration: configuration, initial: initial)
        }
        let backend = try PostgresLedgerBackend(
            location: try location(ledger), instance: configuration.instance, initial: initial)
        return Ledger(backend: backend, instance: backend.instance)
    }

    /// Rebuilds a report from the ledger `ledger` names (a PostgreSQL URL or an SQLite file). In a fleet ledger,
    /// `instance` picks whose checkpoint (default: the newest); an SQLite ledger has one.
    public static func loadReport(at ledger: String, instance: String? = nil) throws(LedgerError) -> Report {
        guard PostgresLocation.isURL(ledger) else { return try loadReport(path: ledger) }
        let backend = try PostgresLedgerBackend(
            location: try location(ledger), instance: "tandem-report", createTables: false)
        return try backend.loadReport(instance: instance)
    }

    /// The backend of the ledger `ledger` names (a PostgreSQL URL or an existing SQLite file), opened without
    /// starting a run or creating tables: for tools that read or steer what runs wrote (`tandem rollout`, `tandem
    /// status`). A server that does not answer is retried for `retryBudget`.
    public static func backend(at ledger: String, instance: String? = nil, retryBudget: Duration = .seconds(30))
        throws(LedgerError) -> any LedgerBackend
    {
        guard PostgresLocation.isURL(ledger) else { return try SQLiteLedgerBackend(path: ledger, newRun: false) }
        return try PostgresLedgerBackend(
            location: try location(ledger), instance: instance, retryBudget: retryBudget, createTables: false)
    }

    private static func location(_ url: String) throws(LedgerError) -> PostgresLocation {
        do { return try PostgresLocation(url: url) } catch {
            throw LedgerError(code: .openFailed, path: error.path ?? url, message: error.message)
        }
    }
}
