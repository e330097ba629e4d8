import Foundation
import PostgresNIO
import Tandem

/// The SQL of a PostgreSQL record backend: its tables' quoted names and every statement it runs (values always
/// bound, never spliced; only the validated, quoted table names are).
struct PostgresTables: Sendable {
    /// One table: the name the URL gave and its quoted SQL form.
    struct Table: Sendable {
        let name: String
        let sql: String
    }

    /// The documented columns, as `information_schema` spells their types.
    static let recordColumns = ["key text", "payload bytea", "seq bigint", "written_at bigint"]
    /// The advisory lock that serializes table creation between processes opening the same database.
    static let setupLock: Int64 = 0x7461_6e64_656d

    let primary: Table
    let shadow: Table
    /// `tandem_outbox` and `tandem_keys`, in the primary table's schema.
    let outbox: String
    let keys: String
    /// Whether both tables are in one database (one statement can read both).
    let sameDatabase: Bool

    init(primary: PostgresLocation, shadow: PostgresLocation) {
        let primaryName = primary.table ?? PostgresRecordBackend.defaultPrimaryTable
        let shadowName = shadow.table ?? PostgresRecordBackend.defaultShadowTable
        self.primary = Table(name: primaryName, sql: PostgresLocation.quoted(primaryName))
        self.shadow = Table(name: shadowName, sql: PostgresLocation.quoted(shadowName))
        let parts = primaryName.split(separator: ".")
        let schema = parts.count == 2 ? "\(PostgresLocation.quoted(String(parts[0])))." : ""
        sameDatabase = primary.sameDatabase(as: shadow)
        outbox = schema + "\"tandem_outbox\""
        keys = schema + "\"tandem_keys\""
    }

    func createRecords(_ table: Table) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(table.sql) (key TEXT COLLATE "C" PRIMARY KEY, payload BYTEA NOT NULL, \
        seq BIGINT NOT NULL, written_at BIGINT NOT NULL)
        """
    }

    var createOutbox: String {
        """
        CREATE TABLE IF NOT EXISTS \(outbox) (primary_table TEXT NOT NULL, shadow_table TEXT NOT NULL, \
        key TEXT COLLATE "C" NOT NULL, op TEXT NOT NULL CHECK (op IN ('put', 'delete')), payload BYTEA, \
        seq BIGINT NOT NULL, written_at BIGINT NOT NULL, PRIMARY KEY (primary_table, shadow_table, key))
        """
    }

    var createKeys: String {
        """
        CREATE TABLE IF NOT EXISTS \(keys) (table_name TEXT NOT NULL, key TEXT COLLATE "C" NOT NULL, \
        seq BIGINT NOT NULL, deleted_at BIGINT, PRIMARY KEY (table_name, key))
        """
    }

    func columns(of table: Table) -> PostgresQuery {
        let parts = table.name.split(separator: ".").map(String.init)
        if parts.count == 2 {
            return """
                SELECT column_name::text, data_type::text FROM information_schema.columns \
                WHERE table_schema = \(parts[0]) AND table_name = \(parts[1]) ORDER BY ordinal_position
                """
        }
        return """
            SELECT column_name::text, data_type::text FROM information_schema.columns \
            WHERE table_schema = current_schema() AND table_name = \(table.name) ORDER BY ordinal_position
            """
    }

    // MARK: Writes

    /// A put's primary side: the key's next seq under its `tandem_keys` row lock (one more than the largest of that
    /// row and the primary row), the primary row, its tombstone cleared, and the outbox row (outbox mode) or the
    /// shadow row (atomic mode). Returns the seq.
    func put(key: String, primary payload: [UInt8], shadow legacy: [UInt8], writtenAt: Int64, outbox: Bool)
        -> PreparedStatement
    {
        let second =
            outbox
            ? """
            INSERT INTO \(self.outbox) (primary_table, shadow_table, key, op, payload, seq, written_at) \
            SELECT $4, $6, $1, 'put', $5, seq, $3 FROM s ON CONFLICT (primary_table, shadow_table, key) DO UPDATE \
            SET op = excluded.op, payload = excluded.payload, seq = excluded.seq, written_at = excluded.written_at
            """
            : """
            INSERT INTO \(shadow.sql) AS t (key, payload, seq, written_at) SELECT $1, $5, seq, $3 FROM s \
            ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at WHERE t.seq < excluded.seq
            """
        var binds = PreparedValues(capacity: 6)
        binds.append(key)
        binds.append(ByteBuffer(bytes: payload))
        binds.append(writtenAt)
        binds.append(primary.name)
        binds.append(ByteBuffer(bytes: legacy))
        // A prepared statement takes exactly the values its SQL names: the shadow table's name only in outbox mode.
        if outbox { binds.append(self.shadow.name) }
        return PreparedStatement(
            sql: """
                WITH s AS (\(nextSeq(deleting: false))), \
                r AS (INSERT INTO \(primary.sql) (key, payload, seq, written_at) SELECT $1, $2, seq, $3 FROM s \
                ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
                written_at = excluded.written_at), \
                w AS (\(second)) \
                SELECT seq FROM s
                """, values: binds)
    }

    /// A delete's primary side: the next seq and the tombstone, the primary row removed, and the outbox row (outbox
    /// mode) or the shadow row removed (atomic mode). Returns the seq.
    func delete(key: String, writtenAt: Int64, outbox: Bool) -> PreparedStatement {
        let second =
            outbox
            ? """
            INSERT INTO \(self.outbox) (primary_table, shadow_table, key, op, payload, seq, written_at) \
            SELECT $3, $4, $1, 'delete', NULL, seq, $2 FROM s ON CONFLICT (primary_table, shadow_table, key) DO UPDATE \
            SET op = excluded.op, payload = excluded.payload, seq = excluded.seq, written_at = excluded.written_at
            """
            : "DELETE FROM \(shadow.sql) WHERE key = $1 AND seq < (SELECT seq FROM s)"
        var binds = PreparedValues(capacity: 4)
        binds.append(key)
        binds.append(writtenAt)
        binds.append(primary.name)
        if outbox { binds.append(shadow.name) }
        return PreparedStatement(
            sql: """
                WITH s AS (\(nextSeq(deleting: true))), \
                r AS (DELETE FROM \(primary.sql) WHERE key = $1), \
                w AS (\(second)) \
                SELECT seq FROM s
                """, values: binds)
    }

    /// The CTE body that assigns a key's next seq: `$1` the key, `$3`/`$2` (put/delete) the time, `$4` or `$3` the
    /// primary table's name. The seq is above the key's `tandem_keys` row, its primary row and (when the shadow table
    /// shares the database) its shadow row, so that a write always supersedes rows written outside the dual writer
    /// (legacy data copied in, backfilled rows).
    private func nextSeq(deleting: Bool) -> String {
        let table = deleting ? "$3" : "$4"
        let deletedAt = deleting ? "$2::bigint" : "NULL::bigint"
        var rows = "coalesce((SELECT seq FROM \(primary.sql) WHERE key = $1), 0)"
        if sameDatabase { rows = "greatest(\(rows), coalesce((SELECT seq FROM \(shadow.sql) WHERE key = $1), 0))" }
        return """
            INSERT INTO \(keys) AS k (table_name, key, seq, deleted_at) \
            VALUES (\(table), $1, 1 + \(rows), \(deletedAt)) \
            ON CONFLICT (table_name, key) DO UPDATE SET seq = 1 + greatest(k.seq, \(rows)), \
            deleted_at = excluded.deleted_at RETURNING seq
            """
    }

    /// A shadow row written only over an older one (or none). One row changed when written.
    func applyShadowPut(_ record: StoredRecord) -> PostgresQuery {
        """
        INSERT INTO \(unescaped: shadow.sql) AS t (key, payload, seq, written_at) \
        VALUES (\(record.key), \(ByteBuffer(bytes: record.payload)), \(record.seq), \(record.writtenAt)) \
        ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
        written_at = excluded.written_at WHERE t.seq < excluded.seq
        """
    }

    /// A shadow row removed only when older than the deletion. One row changed when removed.
    func applyShadowDelete(key: String, seq: Int64) -> PostgresQuery {
        "DELETE FROM \(unescaped: shadow.sql) WHERE key = \(key) AND seq < \(seq)"
    }

    /// Removes outbox rows that still carry the given seqs; a row another transaction holds (rewriting or removing
    /// it) is left, never waited for.
    func clearOutbox(_ rows: [OutboxRow]) -> PostgresQuery {
        """
        DELETE FROM \(unescaped: outbox) WHERE ctid = ANY(ARRAY(SELECT o.ctid FROM \(unescaped: outbox) o \
        JOIN unnest(\(rows.map(\.key))::text[], \(rows.map(\.seq))::bigint[]) AS d(key, seq) \
        ON o.key = d.key AND o.seq = d.seq WHERE o.primary_table = \(primary.name) AND o.shadow_table = \(shadow.name) \
        FOR UPDATE OF o SKIP LOCKED))
        """
    }

    // MARK: Reads

    func record(_ table: Table, key: String, lock: Bool = false) -> PostgresQuery {
        let suffix = lock ? " FOR UPDATE" : ""
        return
            "SELECT key, payload, seq, written_at FROM \(unescaped: table.sql) WHERE key = \(key)\(unescaped: suffix)"
    }

    func records(_ table: Table, keys: [String]) -> PostgresQuery {
        "SELECT key, payload, seq, written_at FROM \(unescaped: table.sql) WHERE key = ANY(\(keys)::text[])"
    }

    /// Both rows of a key in one statement (one snapshot): the side (0 primary, 1 shadow) first.
    func pair(key: String) -> PostgresQuery {
        """
        SELECT 0, key, payload, seq, written_at FROM \(unescaped: primary.sql) WHERE key = \(key) \
        UNION ALL SELECT 1, key, payload, seq, written_at FROM \(unescaped: shadow.sql) WHERE key = \(key)
        """
    }

    func scan(_ table: Table, after: String?, limit: Int) -> PostgresQuery {
        if let after {
            return """
                SELECT key, payload, seq, written_at FROM \(unescaped: table.sql) WHERE key > \(after) \
                ORDER BY key LIMIT \(limit)
                """
        }
        return "SELECT key, payload, seq, written_at FROM \(unescaped: table.sql) ORDER BY key LIMIT \(limit)"
    }

    /// A page of pairs in one statement (both tables in one database): up to `limit` rows of each table after
    /// `after`, joined by key, the first `limit` keys in byte-wise order. Columns: key, then the primary row and the
    /// shadow row, each packed into one `bytea` (seq and written_at as 8 big-endian bytes each, then the payload; NULL
    /// where a side has none): three cells a row instead of seven, since reading a cell costs the client more than
    /// the server's concatenation. Prepared: a verify runs it once per page, and planning it took a fifth of its time.
    func pairPage(after: String?, limit: Int) -> PreparedStatement {
        var binds = PreparedValues(capacity: 2)
        binds.append(after ?? "")
        binds.append(Int64(limit))
        return PreparedStatement(
            sql: """
                SELECT key, int8send(p.seq) || int8send(p.written_at) || p.payload, \
                int8send(s.seq) || int8send(s.written_at) || s.payload \
                FROM (SELECT * FROM \(primary.sql) WHERE key > $1 ORDER BY key LIMIT $2) p \
                FULL JOIN (SELECT * FROM \(shadow.sql) WHERE key > $1 ORDER BY key LIMIT $2) s \
                USING (key) ORDER BY key LIMIT $2
                """, values: binds)
    }

    func count(_ table: Table) -> PostgresQuery {
        "SELECT count(*) FROM \(unescaped: table.sql)"
    }

    func pendingOutbox(after: String?, limit: Int) -> PostgresQuery {
        """
        SELECT key, op, payload, seq, written_at FROM \(unescaped: outbox) \
        WHERE primary_table = \(primary.name) AND shadow_table = \(shadow.name) AND key > \(after ?? "") \
        ORDER BY key LIMIT \(limit)
        """
    }

    var pendingOutboxCount: PostgresQuery {
        """
        SELECT count(*) FROM \(unescaped: outbox) WHERE primary_table = \(primary.name) \
        AND shadow_table = \(shadow.name)
        """
    }

    /// Which of `keys` have an outbox row waiting.
    func pendingKeys(_ keys: [String]) -> PostgresQuery {
        """
        SELECT key FROM \(unescaped: outbox) WHERE primary_table = \(primary.name) \
        AND shadow_table = \(shadow.name) AND key = ANY(\(keys)::text[])
        """
    }

    // MARK: Decoding

    /// Decodes a `key, payload, seq, written_at` row (directly from its cells; generically if they are not as
    /// expected, for the error).
    static func record(_ row: PostgresRow, location: PostgresLocation) throws(StoreError) -> StoredRecord {
        var cells = row.makeIterator()
        if let key = cells.next()?.binaryText, let record = side(key: key, &cells) ?? nil { return record }
        let (key, payload, seq, writtenAt) = try decode(
            row, as: (String, ByteBuffer, Int64, Int64).self, location: location)
        return StoredRecord(key: key, payload: Array(payload.readableBytesView), seq: seq, writtenAt: writtenAt)
    }

    /// Decodes a row of ``pairPage(after:limit:)``: key, then each side packed (NULL for a side without a row).
    static func pair(_ row: PostgresRow, location: PostgresLocation) throws(StoreError) -> RecordPair {
        var cells = row.makeIterator()
        guard let key = cells.next()?.binaryText, let primary = cells.next().flatMap({ packedSide(key: key, $0) }),
            let shadow = cells.next().flatMap({ packedSide(key: key, $0) }), cells.next() == nil
        else {
            throw StoreError(
                code: .readFailed, path: location.description,
                message: "unexpected row: not (text, packed bytea, packed bytea): \(row.map(\.dataType))")
        }
        return RecordPair(key: key, primary: primary, shadow: shadow)
    }

    /// One record from a packed cell of ``pairPage(after:limit:)``: `.some(nil)` when it is NULL, nil when it is not
    /// a `bytea` of at least 16 bytes.
    private static func packedSide(key: String, _ cell: PostgresCell) -> StoredRecord?? {
        guard var bytes = cell.bytes else { return .some(nil) }
        guard cell.dataType == .bytea, let seq = bytes.readInteger(as: Int64.self),
            let writtenAt = bytes.readInteger(as: Int64.self)
        else { return nil }
        return StoredRecord(key: key, payload: Array(bytes.readableBytesView), seq: seq, writtenAt: writtenAt)
    }

    /// One record from the next three cells (payload, seq, written_at): `.some(nil)` when all three are NULL, nil
    /// when they are not as expected.
    private static func side(key: String, _ cells: inout PostgresRow.Iterator) -> StoredRecord?? {
        guard let payloadCell = cells.next(), let seqCell = cells.next(), let writtenAtCell = cells.next() else {
            return nil
        }
        if payloadCell.bytes == nil, seqCell.bytes == nil, writtenAtCell.bytes == nil { return .some(nil) }
        guard let payload = payloadCell.binaryBytes, let seq = seqCell.binaryInt8,
            let writtenAt = writtenAtCell.binaryInt8
        else { return nil }
        return StoredRecord(key: key, payload: payload, seq: seq, writtenAt: writtenAt)
    }

    /// The `bigint` at `column` of a row (a seq), read directly.
    static func int8(_ row: PostgresRow, column: Int, location: PostgresLocation) throws(StoreError) -> Int64 {
        guard let value = row.cell(column)?.binaryInt8 else {
            throw StoreError(
                code: .readFailed, path: location.description,
                message: "unexpected row: column \(column) is not a bigint")
        }
        return value
    }

    static func decode<T>(_ row: PostgresRow, as type: T.Type, location: PostgresLocation) throws(StoreError) -> T
    where T: PostgresDecodable {
        do { return try row.decode(T.self) } catch {
            throw StoreError(code: .readFailed, path: location.description, message: "unexpected row: \(error)")
        }
    }

    static func decode<each Column: PostgresDecodable>(
        _ row: PostgresRow, as type: (repeat each Column).Type, location: PostgresLocation
    ) throws(StoreError) -> (repeat each Column) {
        do { return try row.decode((repeat each Column).self) } catch {
            throw StoreError(code: .readFailed, path: location.description, message: "unexpected row: \(error)")
        }
    }
}

extension PostgresTables {
    /// Takes the row lock of a key's seq (`tandem_keys`) for a conditional primary write, so that a dual write of the
    /// key commits after it and takes a larger seq; the seq row never goes below `seq`. Returns whether the key has a
    /// tombstone.
    func lockKey(_ key: String, seq: Int64) -> PostgresQuery {
        """
        INSERT INTO \(unescaped: keys) AS k (table_name, key, seq, deleted_at) VALUES (\(primary.name), \(key), \(seq), NULL) \
        ON CONFLICT (table_name, key) DO UPDATE SET seq = greatest(k.seq, excluded.seq) \
        RETURNING deleted_at IS NOT NULL
        """
    }

    /// Writes a row only if the table has none for its key. One row changed when written.
    func insertIfAbsent(_ table: Table, _ record: StoredRecord) -> PostgresQuery {
        """
        INSERT INTO \(unescaped: table.sql) (key, payload, seq, written_at) \
        VALUES (\(record.key), \(ByteBuffer(bytes: record.payload)), \(record.seq), \(record.writtenAt)) \
        ON CONFLICT (key) DO NOTHING
        """
    }

    /// Replaces a row only if it still carries `seq`. One row changed when written.
    func replace(_ table: Table, _ record: StoredRecord, ifSeq seq: Int64) -> PostgresQuery {
        """
        UPDATE \(unescaped: table.sql) SET payload = \(ByteBuffer(bytes: record.payload)), seq = \(record.seq), \
        written_at = \(record.writtenAt) WHERE key = \(record.key) AND seq = \(seq)
        """
    }
}
