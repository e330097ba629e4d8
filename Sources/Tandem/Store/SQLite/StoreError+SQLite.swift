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
        // Raised by the store itself when tandem_records is not the documented table (SQLite returns it to a caller
        // only for a statement it could not prepare again after a schema change, which the store never triggers).
        case SQLITE_SCHEMA: code = .schemaMismatch
        default: code = fallback
        }
        self.init(
            code: code, path: path ?? error.path, key: key, message: error.message,
            sqliteCode: error.code, sqliteExtendedCode: error.extendedCode, sql: error.sql)
    }

    /// Runs `body`, turning an SQLite failure into a ``StoreError`` classified as ``init(_:key:fallback:path:)``
    /// does: the one place store code maps SQLite errors.
    static func mapping<T>(
        key: String? = nil, fallback: Code, path: String? = nil, _ body: () throws(SQLiteError) -> T
    ) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(error, key: key, fallback: fallback, path: path)
        }
    }
}
