import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which attached database a records statement addresses. Schema names are fixed identifiers chosen here,
/// never user input, so they may appear in SQL text; every value is still bound.
enum RecordSchema: String {
    case main
    case shadow

    // The records statements of each schema as string literals: not interpolated on every call (each new string was
    // hashed whole to find its cached statement), and not shared heap strings either (retaining one string from
    // the read path and the comparator at once made their reads contend; literals are never reference counted).

    var selectSQL: String {
        switch self {
        case .main: "SELECT key, payload, seq, written_at FROM main.tandem_records WHERE key = ?"
        case .shadow: "SELECT key, payload, seq, written_at FROM shadow.tandem_records WHERE key = ?"
        }
    }

    var upsertSQL: String {
        switch self {
        case .main:
            """
            INSERT INTO main.tandem_records(key, payload, seq, written_at) VALUES(?, ?, ?, ?) \
            ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at
            """
        case .shadow:
            """
            INSERT INTO shadow.tandem_records(key, payload, seq, written_at) VALUES(?, ?, ?, ?) \
            ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at
            """
        }
    }

    var deleteSQL: String {
        switch self {
        case .main: "DELETE FROM main.tandem_records WHERE key = ?"
        case .shadow: "DELETE FROM shadow.tandem_records WHERE key = ?"
        }
    }

    var scanAfterSQL: String {
        switch self {
        case .main: "SELECT key, payload, seq, written_at FROM main.tandem_records WHERE key > ? ORDER BY key LIMIT ?"
        case .shadow:
            "SELECT key, payload, seq, written_at FROM shadow.tandem_records WHERE key > ? ORDER BY key LIMIT ?"
        }
    }

    var scanSQL: String {
        switch self {
        case .main: "SELECT key, payload, seq, written_at FROM main.tandem_records ORDER BY key LIMIT ?"
        case .shadow: "SELECT key, payload, seq, written_at FROM shadow.tandem_records ORDER BY key LIMIT ?"
        }
    }

    var countSQL: String {
        switch self {
        case .main: "SELECT count(*) FROM main.tandem_records"
        case .shadow: "SELECT count(*) FROM shadow.tandem_records"
        }
    }
}

extension SQLiteConnection {
    /// The documented table (DESIGN section 5). WITHOUT ROWID stores rows in key order, so scans are a
    /// single b-tree walk.
    func createRecordsTable(in schema: RecordSchema = .main) throws(SQLiteError) {
        try execute(
            """
            CREATE TABLE IF NOT EXISTS \(schema.rawValue).tandem_records(key TEXT PRIMARY KEY, \
            payload BLOB NOT NULL, seq INTEGER NOT NULL, written_at INTEGER NOT NULL) WITHOUT ROWID
            """)
    }

    func record(key: String, in schema: RecordSchema = .main) throws(SQLiteError) -> StoredRecord? {
        try queryOne(schema.selectSQL, [.text(key)], Self.storedRecord)
    }

    func upsertRecord(_ record: StoredRecord, in schema: RecordSchema = .main) throws(SQLiteError) {
        try run(
            schema.upsertSQL,
            [.text(record.key), .blob(record.payload), .integer(record.seq), .integer(record.writtenAt)])
    }

    @discardableResult
    func deleteRecord(key: String, in schema: RecordSchema = .main) throws(SQLiteError) -> Bool {
        try run(schema.deleteSQL, [.text(key)]) > 0
    }

    func scanRecords(after: String?, limit: Int, in schema: RecordSchema = .main) throws(SQLiteError)
        -> [StoredRecord]
    {
        if let after {
            return try query(schema.scanAfterSQL, [.text(after), .integer(Int64(limit))], Self.storedRecord)
        }
        return try query(schema.scanSQL, [.integer(Int64(limit))], Self.storedRecord)
    }

    func countRecords(in schema: RecordSchema = .main) throws(SQLiteError) -> Int {
        Int(try queryOne(schema.countSQL) { $0.int64(0) } ?? 0)
    }

    static func storedRecord(_ row: SQLiteStatement) -> StoredRecord {
        StoredRecord(key: row.text(0), payload: row.blob(1), seq: row.int64(2), writtenAt: row.int64(3))
    }

    /// Applies the journal mode and synchronous level and checks SQLite accepted the journal mode
    /// (`PRAGMA journal_mode` answers with the mode in effect instead of failing).
    func configure(journalMode: String, synchronous: String, in schema: RecordSchema = .main) throws(SQLiteError) {
        let mode = try queryOne("PRAGMA \(schema.rawValue).journal_mode = \(journalMode)") { $0.text(0) }
        guard mode?.lowercased() == journalMode.lowercased() else {
            throw SQLiteError(
                code: SQLITE_ERROR, extendedCode: SQLITE_ERROR,
                message: "journal_mode=\(journalMode) was not accepted (SQLite kept '\(mode ?? "?")'); "
                    + "another process may have the file open",
                sql: "PRAGMA journal_mode", path: path)
        }
        try execute("PRAGMA \(schema.rawValue).synchronous = \(synchronous)")
    }
}

/// Current wall-clock time in Unix milliseconds, for `written_at`.
func unixMillisNow() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
}

extension Duration {
    /// Whole milliseconds, clamped to `Int32` for SQLite's busy timeout.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }

    /// Whole nanoseconds, clamped to `Int`, for Dispatch deadlines.
    var clampedNanoseconds: Int {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : .max }
        return Int(clamping: max(0, whole + attoseconds / 1_000_000_000))
    }
}
