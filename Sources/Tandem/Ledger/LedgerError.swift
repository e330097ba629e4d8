/// A failure to open, write or read a ledger, naming the file it is about.
///
/// The CLI maps every ledger error to exit code 3 (store or I/O error).
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file could not be opened or created (missing file or directory, permissions, ...).
        public static let openFailed = Code("openFailed")
        /// The file is not a ledger: not an SQLite database at all, or an SQLite database without the ledger's
        /// version table (a record store, say).
        public static let notALedger = Code("notALedger")
        /// The file is a ledger but its content is damaged (SQLite found corrupt pages, or a stored value does not
        /// read back).
        public static let corrupt = Code("corrupt")
        /// The ledger was written by a newer Tandem with a schema version this one does not know.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// The ledger holds no checkpoint yet: the run stopped before its first commit.
        public static let noCheckpoint = Code("noCheckpoint")
        /// The file is write-protected.
        public static let readOnly = Code("readOnly")
        /// The disk or the database reached its size limit.
        public static let full = Code("full")
        /// Another connection held a lock longer than the busy timeout.
        public static let locked = Code("locked")
        /// A write failed; nothing of it was committed.
        public static let writeFailed = Code("writeFailed")
        /// A read failed.
        public static let readFailed = Code("readFailed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The ledger file.
    public var path: String
    /// What went wrong, for a person.
    public var message: String
    /// SQLite's primary result code, when SQLite reported the failure.
    public var sqliteCode: Int32?

    /// Creates an error value.
    public init(code: Code, path: String, message: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.sqliteCode = sqliteCode
    }

    /// `<path>: <message>`, the form the CLI prints.
    public var description: String { "\(path): \(message)" }
}
