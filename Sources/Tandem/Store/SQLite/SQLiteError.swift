import CSQLite

/// A failed SQLite call, with everything needed to say what went wrong where.
///
/// Internal: the public surface converts it to ``StoreError``.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// Primary result code (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...).
    var code: Int32
    /// Extended result code (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_CONSTRAINT_TRIGGER`, ...).
    var extendedCode: Int32
    /// `sqlite3_errmsg` text at the time of failure.
    var message: String
    /// The statement that failed, if any.
    var sql: String?
    /// The database file the connection was opened on.
    var path: String

    var description: String {
        var text = "SQLite error \(code) (extended \(extendedCode)) on '\(path)': \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }

    /// Captures the connection's current error state after `resultCode` was returned.
    init(resultCode: Int32, db: OpaquePointer?, sql: String?, path: String) {
        self.code = resultCode & 0xFF
        if let db {
            self.extendedCode = sqlite3_extended_errcode(db)
            // sqlite3_errmsg may describe an older error when the failing call did not set one
            // (e.g. our own misuse checks), so fall back to the generic text for the code.
            let errcode = sqlite3_errcode(db)
            if errcode == resultCode || (errcode & 0xFF) == (resultCode & 0xFF) {
                self.message = String(cString: sqlite3_errmsg(db))
            } else {
                self.message = String(cString: sqlite3_errstr(resultCode))
            }
        } else {
            self.extendedCode = resultCode
            self.message = String(cString: sqlite3_errstr(resultCode))
        }
        self.sql = sql
        self.path = path
    }

    init(code: Int32, extendedCode: Int32, message: String, sql: String?, path: String) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// True for the two codes a retry can cure: another connection holds the lock.
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}
