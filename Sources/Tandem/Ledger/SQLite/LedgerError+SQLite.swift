import CSQLite

extension LedgerError {
    /// Classifies an SQLite failure on the ledger at `path`; `fallback` is the code for failures that are not about
    /// the file itself.
    init(_ error: SQLiteError, path: String, fallback: Code) {
        let code: Code
        let message: String
        switch error.code {
        case SQLITE_NOTADB:
            code = .notALedger
            message = "not a Tandem ledger: the file is not an SQLite database (or its header is damaged)"
        case SQLITE_CORRUPT:
            code = .corrupt
            message = "the ledger is corrupt: \(error.message)"
        case SQLITE_CANTOPEN:
            code = .openFailed
            message = "cannot open the ledger: \(error.message)"
        case SQLITE_READONLY:
            code = .readOnly
            message = "the ledger is read-only: \(error.message)"
        case SQLITE_FULL:
            code = .full
            message = "the disk or database is full: \(error.message)"
        case SQLITE_BUSY, SQLITE_LOCKED:
            code = .locked
            message = "the ledger is locked by another process: \(error.message)"
        default:
            code = fallback
            message = error.message
        }
        self.init(code: code, path: path, message: message, sqliteCode: error.code)
    }
}
