/// Tables in the primary file that the dual writer needs besides `tandem_records`.
extension SQLiteConnection {
    func createDualWriteTables() throws(SQLiteError) {
        try createRecordsTable()
        // One pending row per key: a later write supersedes an earlier one, and replaying the latest state
        // is what converges the shadow.
        try execute(
            """
            CREATE TABLE IF NOT EXISTS main.tandem_outbox(key TEXT PRIMARY KEY, \
            op TEXT NOT NULL CHECK (op IN ('put', 'delete')), payload BLOB, seq INTEGER NOT NULL, \
            written_at INTEGER NOT NULL) WITHOUT ROWID
            """)
        // A deleted key keeps its last seq here, so a later put continues the sequence instead of
        // restarting at 1 (a restarted seq would let a stale shadow row look current).
        try execute(
            """
            CREATE TABLE IF NOT EXISTS main.tandem_tombstones(key TEXT PRIMARY KEY, seq INTEGER NOT NULL, \
            deleted_at INTEGER NOT NULL) WITHOUT ROWID
            """)
    }

    /// The next seq for `key` (one more than the largest of its primary row, outbox row and tombstone), and whether
    /// the key has a tombstone (a put must remove it). One statement for the three lookups.
    func nextSeq(key: String) throws(SQLiteError) -> (seq: Int64, tombstone: Bool) {
        let found = try queryOne(
            """
            SELECT coalesce((SELECT seq FROM main.tandem_records WHERE key = ?1), 0), \
            coalesce((SELECT seq FROM main.tandem_outbox WHERE key = ?1), 0), \
            (SELECT seq FROM main.tandem_tombstones WHERE key = ?1)
            """, [.text(key)]
        ) { stmt in (max(stmt.int64(0), stmt.int64(1), stmt.int64(2)), !stmt.isNull(2)) }
        return ((found?.0 ?? 0) + 1, found?.1 ?? false)
    }

    /// Writes the primary side of `op` (row or deletion, tombstone, and the outbox row when `outbox`).
    func stampPrimary(_ op: DualWriteOp, outbox: Bool) throws(SQLiteError) -> WriteReceipt {
        let key = op.key
        let (seq, tombstone) = try nextSeq(key: key)
        let now = unixMillisNow()
        switch op {
        case .put(_, let primary, let shadow):
            try upsertRecord(StoredRecord(key: key, payload: primary, seq: seq, writtenAt: now))
            if tombstone { try run("DELETE FROM main.tandem_tombstones WHERE key = ?", [.text(key)]) }
            if outbox {
                try run(
                    """
                    INSERT OR REPLACE INTO main.tandem_outbox(key, op, payload, seq, written_at) \
                    VALUES(?, 'put', ?, ?, ?)
                    """, [.text(key), .blob(shadow), .integer(seq), .integer(now)])
            }
            return WriteReceipt(key: key, seq: seq, writtenAt: now, deleted: false)
        case .delete:
            try deleteRecord(key: key)
            try run(
                "INSERT OR REPLACE INTO main.tandem_tombstones(key, seq, deleted_at) VALUES(?, ?, ?)",
                [.text(key), .integer(seq), .integer(now)])
            if outbox {
                try run(
                    """
                    INSERT OR REPLACE INTO main.tandem_outbox(key, op, payload, seq, written_at) \
                    VALUES(?, 'delete', NULL, ?, ?)
                    """, [.text(key), .integer(seq), .integer(now)])
            }
            return WriteReceipt(key: key, seq: seq, writtenAt: now, deleted: true)
        }
    }

    /// Writes the shadow side of `op` with the seq and time already stamped into the primary.
    func applyShadow(_ op: DualWriteOp, receipt: WriteReceipt, in schema: RecordSchema) throws(SQLiteError) {
        switch op {
        case .put(let key, _, let shadow):
            try upsertRecord(
                StoredRecord(key: key, payload: shadow, seq: receipt.seq, writtenAt: receipt.writtenAt), in: schema)
        case .delete(let key):
            try deleteRecord(key: key, in: schema)
        }
    }

    /// True when the shadow already holds this write or a newer one of its key (a row with this seq or a later one;
    /// for a deletion, no row or a later one): replaying it must change nothing. So a replayed outbox row never
    /// overwrites a newer shadow row, even beside a live writer (DESIGN 10).
    func shadowIsCurrent(_ write: ShadowWrite, in schema: RecordSchema) throws(SQLiteError) -> Bool {
        let current = try record(key: write.op.key, in: schema)
        switch write.op {
        case .put:
            return (current?.seq ?? 0) >= write.receipt.seq
        case .delete:
            return current.map { $0.seq > write.receipt.seq } ?? true
        }
    }

    /// Removes the outbox row of a write whose shadow side is done (only if no later write replaced it).
    func clearOutbox(key: String, seq: Int64) throws(SQLiteError) {
        try run("DELETE FROM main.tandem_outbox WHERE key = ? AND seq = ?", [.text(key), .integer(seq)])
    }

    /// Pending outbox rows after `after`, in key order, as the shadow writes that would replay them.
    func pendingOutbox(after: String?, limit: Int) throws(SQLiteError) -> [ShadowWrite] {
        let row = { (stmt: SQLiteStatement) throws(SQLiteError) -> ShadowWrite in
            let key = stmt.text(0)
            let deleted = stmt.text(1) == "delete"
            let receipt = WriteReceipt(key: key, seq: stmt.int64(3), writtenAt: stmt.int64(4), deleted: deleted)
            let op: DualWriteOp = deleted ? .delete(key: key) : .put(key: key, primary: [], shadow: stmt.blob(2))
            return ShadowWrite(op: op, receipt: receipt)
        }
        if let after {
            return try query(
                "SELECT key, op, payload, seq, written_at FROM main.tandem_outbox WHERE key > ? ORDER BY key LIMIT ?",
                [.text(after), .integer(Int64(limit))], row)
        }
        return try query(
            "SELECT key, op, payload, seq, written_at FROM main.tandem_outbox ORDER BY key LIMIT ?",
            [.integer(Int64(limit))], row)
    }

    /// Whether `key` has an outbox row: a committed primary write whose shadow write has not landed yet.
    func hasPendingOutbox(key: String) throws(SQLiteError) -> Bool {
        try queryOne("SELECT 1 FROM main.tandem_outbox WHERE key = ?", [.text(key)]) { _ in true } ?? false
    }

    /// Whether `key` was deleted (its tombstone keeps the last seq).
    func hasTombstone(key: String) throws(SQLiteError) -> Bool {
        try queryOne("SELECT 1 FROM main.tandem_tombstones WHERE key = ?", [.text(key)]) { _ in true } ?? false
    }

    func pendingOutboxCount() throws(SQLiteError) -> Int {
        Int(try queryOne("SELECT count(*) FROM main.tandem_outbox") { $0.int64(0) } ?? 0)
    }
}
