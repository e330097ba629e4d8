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

    /// Checks that an existing `tandem_records` table has the documented columns (DESIGN section 5), so that a file
    /// holding some other table of that name is refused at open instead of failing on its first read or write.
    /// A missing table is fine (it is created). Throws `SQLITE_SCHEMA`, which ``StoreError`` reports as
    /// ``StoreError/Code/schemaMismatch``.
    func checkRecordsTable(in schema: RecordSchema = .main) throws(SQLiteError) {
        let columns = try query("PRAGMA \(schema.rawValue).table_info(tandem_records)") { stmt in
            (name: stmt.text(1), type: stmt.text(2).uppercased(), notNull: stmt.int64(3) != 0, key: stmt.int64(5) != 0)
        }
        guard !columns.isEmpty else {
            // No tandem_records table: a new or empty file becomes a store, but a database that holds other tables
            // (an application's, a ledger) is not one, and Tandem does not add its tables to it.
            let others = try query(
                "SELECT name FROM \(schema.rawValue).sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    + "ORDER BY name LIMIT 6"
            ) { $0.text(0) }
            guard others.isEmpty else {
                let listed = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", ..." : "")
                throw SQLiteError(
                    code: SQLITE_SCHEMA, extendedCode: SQLITE_SCHEMA,
                    message: "not a Tandem store: the database holds other tables (\(listed)) and no tandem_records "
                        + "table; Tandem does not add its tables to it",
                    sql: nil, path: path)
            }
            return
        }
        let expected: [(name: String, type: String, notNull: Bool, key: Bool)] = [
            ("key", "TEXT", true, true), ("payload", "BLOB", true, false), ("seq", "INTEGER", true, false),
            ("written_at", "INTEGER", true, false),
        ]
        // WITHOUT ROWID makes the primary key NOT NULL whether or not it is declared so.
        let matches =
            columns.count == expected.count
            && zip(columns, expected).allSatisfy { found, want in
                found.name == want.name && found.type == want.type && found.key == want.key
                    && (found.notNull == want.notNull || want.key)
            }
        guard !matches else { return }
        let found = columns.map { "\($0.name) \($0.type)\($0.key ? " PRIMARY KEY" : "")" }.joined(separator: ", ")
        throw SQLiteError(
            code: SQLITE_SCHEMA, extendedCode: SQLITE_SCHEMA,
            message: "table tandem_records has columns (\(found)); a Tandem store needs (key TEXT PRIMARY KEY, "
                + "payload BLOB NOT NULL, seq INTEGER NOT NULL, written_at INTEGER NOT NULL)",
            sql: nil, path: path)
    }

    func record(key: String, in schema: RecordSchema = .main) throws(SQLiteError) -> StoredRecord? {
        try queryOne(schema.selectSQL, [.text(key)], Self.storedRecord)
    }

    /// The rows of `keys`, in order (`nil`: no row), read in one read transaction: one snapshot, and one lock and
    /// WAL-index check for the whole batch instead of one per key (most of a point read's cost at this size).
    func records(keys: [String], in schema: RecordSchema = .main) throws(SQLiteError) -> [StoredRecord?] {
        guard !keys.isEmpty else { return [] }
        let stmt = try statement(schema.selectSQL)
        defer { stmt.finish() }
        return try readTransaction { () throws(SQLiteError) -> [StoredRecord?] in
            var rows: [StoredRecord?] = []
            rows.reserveCapacity(keys.count)
            for key in keys { rows.append(try stmt.record(key: key)) }
            stmt.finish()  // No statement left active when COMMIT ends the snapshot.
            return rows
        }
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
