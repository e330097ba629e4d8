import NIOCore
import PostgresNIO
import Tandem

/// The tables of PostgreSQL ledgers (one set per database, every row carrying its ledger's name) and the statements
/// that write them.
enum PostgresLedgerSchema {
    /// Creates what is missing; run under an advisory lock, in one transaction.
    static let create = [
        "CREATE TABLE IF NOT EXISTS tandem_ledger_schema (version int NOT NULL)",
        """
        INSERT INTO tandem_ledger_schema (version) SELECT \(PostgresLedgerBackend.schemaVersion) \
        WHERE NOT EXISTS (SELECT 1 FROM tandem_ledger_schema)
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_checkpoints (ledger text NOT NULL, instance text NOT NULL, \
        report bytea NOT NULL, transitions int NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (ledger, instance))
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_transitions (ledger text NOT NULL, instance text NOT NULL, \
        seq int NOT NULL, body bytea NOT NULL, PRIMARY KEY (ledger, instance, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_buckets (ledger text NOT NULL, second bigint NOT NULL, \
        instance text NOT NULL, compared bigint NOT NULL, mismatched bigint NOT NULL, \
        breaker_version bigint NOT NULL, PRIMARY KEY (ledger, second, instance))
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_state (ledger text NOT NULL, name text NOT NULL, \
        version bigint NOT NULL, value bytea NOT NULL, token text NOT NULL, updated_at bigint NOT NULL, \
        PRIMARY KEY (ledger, name))
        """,
        // One row per change of a state row: two instances racing to make the same change leave one.
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_state_changes (ledger text NOT NULL, name text NOT NULL, \
        version bigint NOT NULL, value bytea NOT NULL, instance text NOT NULL, token text NOT NULL, \
        at timestamptz NOT NULL, PRIMARY KEY (ledger, name, version))
        """,
    ]

    /// Every table of the ledger and its columns.
    static let columns: [String: Set<String>] = [
        "tandem_ledger_schema": ["version"],
        "tandem_ledger_checkpoints": ["ledger", "instance", "report", "transitions", "at"],
        "tandem_ledger_transitions": ["ledger", "instance", "seq", "body"],
        "tandem_ledger_buckets": ["ledger", "second", "instance", "compared", "mismatched", "breaker_version"],
        "tandem_ledger_state": ["ledger", "name", "version", "value", "token", "updated_at"],
        "tandem_ledger_state_changes": ["ledger", "name", "version", "value", "instance", "token", "at"],
    ]

    /// The columns of those of the ledger's tables the database holds (in the connection's search path).
    static func existingColumns(_ client: PostgresSession.Client, location: PostgresLocation) throws(StoreError)
        -> [String: Set<String>]
    {
        var found: [String: Set<String>] = [:]
        let rows = try client.query(
            """
            SELECT c.relname::text, a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
            WHERE c.oid IN (SELECT to_regclass(t)::oid FROM unnest(\(Array(columns.keys))::text[]) AS t) \
            AND a.attnum > 0 AND NOT a.attisdropped
            """)
        for row in rows {
            let (table, column) = try PostgresTables.decode(row, as: (String, String).self, location: location)
            found[table, default: []].insert(column)
        }
        return found
    }

    /// The server's clock in Unix milliseconds, read when the statement runs.
    static let nowMillis = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    /// Writes numbered transitions of `instance`, replacing any under the same numbers.
    static func upsertTransitions(_ ledger: String, _ instance: String, _ rows: [(Int, [UInt8])]) -> PostgresQuery {
        """
        INSERT INTO tandem_ledger_transitions (ledger, instance, seq, body) \
        SELECT \(ledger), \(instance), * FROM unnest(\(rows.map { Int32($0.0) })::int[], \
        \(rows.map { ByteBuffer(bytes: $0.1) })::bytea[]) \
        ON CONFLICT (ledger, instance, seq) DO UPDATE SET body = excluded.body
        """
    }
}
