import Foundation
import PostgresNIO
import Tandem

extension PostgresTables {
    /// A group of dual writes of distinct keys as one statement (one round trip, one commit): each key's next seq
    /// under its `tandem_keys` row lock (taken in key order, so two writers' batches never deadlock), the primary rows
    /// written or removed, the outbox rows (outbox mode) or the shadow rows (atomic mode), and the removal of outbox
    /// rows the relay settled (`settling`; a key written again now keeps its new outbox row; a row another transaction
    /// holds is left, never waited for, so that two groups committing at once cannot deadlock). Returns `key, seq`
    /// rows, one per write. The same seqs as ``put(key:primary:shadow:writtenAt:outbox:)`` and
    /// ``delete(key:writtenAt:outbox:)`` one by one.
    func batch(_ ops: ArraySlice<DualWriteOp>, settling settled: [OutboxRow], writtenAt: Int64, outbox: Bool)
        -> PreparedStatement
    {
        var keys: [String] = []
        var payloads: [ByteBuffer] = []
        var legacy: [ByteBuffer] = []
        var deletes: [Bool] = []
        keys.reserveCapacity(ops.count)
        payloads.reserveCapacity(ops.count)
        legacy.reserveCapacity(ops.count)
        deletes.reserveCapacity(ops.count)
        for op in ops {
            keys.append(op.key)
            switch op {
            case .put(_, let primary, let shadow):
                payloads.append(ByteBuffer(bytes: primary))
                legacy.append(ByteBuffer(bytes: shadow))
                deletes.append(false)
            case .delete:
                payloads.append(ByteBuffer())
                legacy.append(ByteBuffer())
                deletes.append(true)
            }
        }
        var binds = PreparedValues(capacity: 9)
        binds.append(keys)
        binds.append(payloads)
        binds.append(legacy)
        binds.append(deletes)
        binds.append(writtenAt)
        binds.append(primary.name)
        binds.append(shadow.name)
        binds.append(settled.map(\.key))
        binds.append(settled.map(\.seq))
        // Every row is looked up by key (correlated subqueries, `= ANY` of an array), never joined: the statement is
        // prepared once and its generic plan, made when the tables may still be small, must not scan them.
        let shadowSeq = sameDatabase ? ", coalesce((SELECT h.seq FROM \(shadow.sql) h WHERE h.key = i.key), 0)" : ""
        let second =
            outbox
            ? """
            w AS (INSERT INTO \(self.outbox) (primary_table, shadow_table, key, op, payload, seq, written_at) \
            SELECT $6, $7, i.key, CASE WHEN i.del THEN 'delete' ELSE 'put' END, CASE WHEN i.del THEN NULL \
            ELSE i.legacy END, s.seq, $5 FROM i JOIN s USING (key) \
            ON CONFLICT (primary_table, shadow_table, key) DO UPDATE SET op = excluded.op, payload = excluded.payload, \
            seq = excluded.seq, written_at = excluded.written_at)
            """
            : """
            w AS (INSERT INTO \(shadow.sql) AS t (key, payload, seq, written_at) \
            SELECT i.key, i.legacy, s.seq, $5 FROM i JOIN s USING (key) WHERE NOT i.del \
            ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at WHERE t.seq < excluded.seq), \
            x AS (DELETE FROM \(shadow.sql) t WHERE t.key = ANY(ARRAY(SELECT key FROM i WHERE del)) \
            AND t.seq < (SELECT s.seq FROM s WHERE s.key = t.key))
            """
        return PreparedStatement(
            sql: """
                WITH i AS (SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bool[]) \
                AS i(key, payload, legacy, del)), \
                s AS (INSERT INTO \(self.keys) AS k (table_name, key, seq, deleted_at) \
                SELECT $6, i.key, 1 + greatest(coalesce((SELECT p.seq FROM \(primary.sql) p WHERE p.key = i.key), 0)\
                \(shadowSeq)), CASE WHEN i.del THEN $5::bigint END FROM i ORDER BY i.key \
                ON CONFLICT (table_name, key) DO UPDATE SET seq = greatest(k.seq + 1, excluded.seq), \
                deleted_at = excluded.deleted_at RETURNING key, seq), \
                r AS (INSERT INTO \(primary.sql) (key, payload, seq, written_at) \
                SELECT i.key, i.payload, s.seq, $5 FROM i JOIN s USING (key) WHERE NOT i.del \
                ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
                written_at = excluded.written_at), \
                d AS (DELETE FROM \(primary.sql) p WHERE p.key = ANY(ARRAY(SELECT key FROM i WHERE del))), \
                \(second), \
                c AS (DELETE FROM \(self.outbox) WHERE ctid = ANY(ARRAY(SELECT o.ctid FROM \(self.outbox) o \
                JOIN unnest($8::text[], $9::bigint[]) AS c(key, seq) ON o.key = c.key AND o.seq = c.seq \
                WHERE o.primary_table = $6 AND o.shadow_table = $7 AND c.key <> ALL($1::text[]) \
                FOR UPDATE OF o SKIP LOCKED))) \
                SELECT key, seq FROM s
                """, values: binds)
    }

    /// Shadow writes of distinct keys as one statement, each row written (or removed) only over an older one. When
    /// the outbox shares the shadow's database, the same statement removes the writes' outbox rows (those still
    /// carrying their seqs and not locked by a writer rewriting them: it never waits) and returns their `key, seq`;
    /// committed together, the shadow row and the removal are never one without the other.
    func applyShadowBatch(_ writes: [ShadowWrite]) -> PreparedStatement {
        var putKeys: [String] = []
        var payloads: [ByteBuffer] = []
        var putSeqs: [Int64] = []
        var writtenAts: [Int64] = []
        var deleteKeys: [String] = []
        var deleteSeqs: [Int64] = []
        for write in writes {
            if let record = write.record {
                putKeys.append(record.key)
                payloads.append(ByteBuffer(bytes: record.payload))
                putSeqs.append(record.seq)
                writtenAts.append(record.writtenAt)
            } else {
                deleteKeys.append(write.receipt.key)
                deleteSeqs.append(write.receipt.seq)
            }
        }
        var binds = PreparedValues(capacity: 8)
        binds.append(putKeys)
        binds.append(payloads)
        binds.append(putSeqs)
        binds.append(writtenAts)
        binds.append(deleteKeys)
        binds.append(deleteSeqs)
        let writesSQL = """
            WITH u AS (INSERT INTO \(shadow.sql) AS t (key, payload, seq, written_at) \
            SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::bigint[]) \
            AS u(key, payload, seq, written_at) ORDER BY key \
            ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at WHERE t.seq < excluded.seq RETURNING 1), \
            d AS (DELETE FROM \(shadow.sql) t WHERE t.key = ANY($5::text[]) AND t.seq < (SELECT d.seq \
            FROM unnest($5::text[], $6::bigint[]) AS d(key, seq) WHERE d.key = t.key) RETURNING 1)
            """
        guard sameDatabase else {
            return PreparedStatement(
                sql: writesSQL + " SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM d)",
                values: binds)
        }
        binds.append(primary.name)
        binds.append(shadow.name)
        return PreparedStatement(
            sql: writesSQL + """
                , o AS (DELETE FROM \(self.outbox) WHERE ctid = ANY(ARRAY(SELECT o.ctid FROM \(self.outbox) o \
                JOIN unnest($1::text[] || $5::text[], $3::bigint[] || $6::bigint[]) AS c(key, seq) \
                ON o.key = c.key AND o.seq = c.seq WHERE o.primary_table = $7 AND o.shadow_table = $8 \
                FOR UPDATE OF o SKIP LOCKED)) RETURNING key, seq) \
                SELECT key, seq FROM o
                """, values: binds)
    }
}
