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

    /// The records statements of this schema, built once rather than interpolated on every call (each call's new
    /// string was also hashed whole to find the cached statement).
    var sql: RecordSQL { self == .main ? Self.mainSQL : Self.shadowSQL }

    private static let mainSQL = RecordSQL(schema: "main")
    private static let shadowSQL = RecordSQL(schema: "shadow")
}

/// The SQL text of the records statements for one schema.
struct RecordSQL {
    let select: String
    let upsert: String
    let delete: String
    let scanAfter: String
    let scan: String
    let count: String

    init(schema: String) {
        let columns = "key, payload, seq, written_at"
        select = "SELECT \(columns) FROM \(schema).tandem_records WHERE key = ?"
        upsert = """
            INSERT INTO \(schema).tandem_records(\(columns)) VALUES(?, ?, ?, ?) \
            ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at
            """
        delete = "DELETE FROM \(schema).tandem_records WHERE key = ?"
        scanAfter = "SELECT \(columns) FROM \(schema).tandem_records WHERE key > ? ORDER BY key LIMIT ?"
        scan = "SELECT \(columns) FROM \(schema).tandem_records ORDER BY key LIMIT ?"
        count = "SELECT count(*) FROM \(schema).tandem_records"
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
        try queryOne(schema.sql.select, [.text(key)], Self.storedRecord)
    }

    func upsertRecord(_ record: StoredRecord, in schema: RecordSchema = .main) throws(SQLiteError) {
        try run(
            schema.sql.upsert,
            [.text(record.key), .blob(record.payload), .integer(record.seq), .integer(record.writtenAt)])
    }

    @discardableResult
    func deleteRecord(key: String, in schema: RecordSchema = .main) throws(SQLiteError) -> Bool {
        try run(schema.sql.delete, [.text(key)]) > 0
    }

    func scanRecords(after: String?, limit: Int, in schema: RecordSchema = .main) throws(SQLiteError)
        -> [StoredRecord]
    {
        if let after {
            return try query(schema.sql.scanAfter, [.text(after), .integer(Int64(limit))], Self.storedRecord)
        }
        return try query(schema.sql.scan, [.integer(Int64(limit))], Self.storedRecord)
    }

    func countRecords(in schema: RecordSchema = .main) throws(SQLiteError) -> Int {
        Int(try queryOne(schema.sql.count) { $0.int64(0) } ?? 0)
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
}
