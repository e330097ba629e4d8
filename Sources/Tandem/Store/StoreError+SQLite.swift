import CSQLite

extension StoreError {
    /// Classifies an SQLite failure. `fallback` is the code for errors that are not about the file itself
    /// (constraint and trigger failures, misuse): `writeFailed` for writes, `readFailed` for reads.
    init(_ error: SQLiteError, key: String? = nil, fallback: Code, path: String? = nil) {
        let code: Code
        switch error.code {
        case SQLITE_READONLY: code = .readOnly
        case SQLITE_FULL: code = .full
        case SQLITE_BUSY, SQLITE_LOCKED: code = .locked
        case SQLITE_CORRUPT: code = .corrupt
        case SQLITE_NOTADB: code = .notADatabase
        case SQLITE_CANTOPEN: code = .openFailed
        default: code = fallback
        }
        self.init(
            code: code, path: path ?? error.path, key: key, message: error.message,
            sqliteCode: error.code, sqliteExtendedCode: error.extendedCode, sql: error.sql)
    }
}
