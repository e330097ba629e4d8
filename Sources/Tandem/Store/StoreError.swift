/// A failure of a record store or of the dual writer, naming the file and key it is about.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file could not be opened or created (missing directory, permissions, ...).
        public static let openFailed = Code("openFailed")
        /// The file is write-protected or the store was opened read-only.
        public static let readOnly = Code("readOnly")
        /// The disk or the database reached its size limit.
        public static let full = Code("full")
        /// Another connection held a lock longer than the busy timeout and the bounded retries.
        public static let locked = Code("locked")
        /// The file is a database but its content is damaged.
        public static let corrupt = Code("corrupt")
        /// The file is not an SQLite database.
        public static let notADatabase = Code("notADatabase")
        /// The key is empty or longer than 1024 UTF-8 bytes; nothing was written.
        public static let invalidKey = Code("invalidKey")
        /// An argument other than the key is out of range (for example a negative page size).
        public static let invalidArgument = Code("invalidArgument")
        /// A write failed; nothing of it was committed.
        public static let writeFailed = Code("writeFailed")
        /// In outbox mode the primary row committed but the shadow write failed; the pending outbox row
        /// will bring the shadow up to date on the next open or ``DualWriter/repair()``.
        public static let shadowPending = Code("shadowPending")
        /// A read failed.
        public static let readFailed = Code("readFailed")
        /// The file holds a `tandem_records` table other than the documented one; nothing was changed.
        public static let schemaMismatch = Code("schemaMismatch")
        /// A database server could not be reached, or the connection to it was lost, and reconnecting within the
        /// retry budget did not bring it back (server stores only).
        public static let connectionLost = Code("connectionLost")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The database file involved, if known.
    public var path: String?
    /// The record key involved, if any.
    public var key: String?
    /// SQLite's primary result code, when SQLite reported the failure.
    public var sqliteCode: Int32?
    /// SQLite's extended result code, when SQLite reported the failure.
    public var sqliteExtendedCode: Int32?
    /// A human-readable explanation.
    public var message: String
    /// The SQL statement that failed, if any (statement text only; values are always bound).
    public var sql: String?

    /// Creates an error value.
    public init(
        code: Code, path: String? = nil, key: String? = nil, message: String,
        sqliteCode: Int32? = nil, sqliteExtendedCode: Int32? = nil, sql: String? = nil
    ) {
        self.code = code
        self.path = path
        self.key = key
        self.message = message
        self.sqliteCode = sqliteCode
        self.sqliteExtendedCode = sqliteExtendedCode
        self.sql = sql
    }

    /// A one-line description naming the code, file, key and cause.
    public var description: String {
        var text = "store error \(code)"
        if let path { text += " in '\(path)'" }
        if let key { text += " for key '\(key)'" }
        text += ": \(message)"
        if let sqliteCode {
            text += " (SQLite code \(sqliteCode)"
            if let sqliteExtendedCode, sqliteExtendedCode != sqliteCode { text += ", extended \(sqliteExtendedCode)" }
            text += ")"
        }
        return text
    }
}
