import NIOCore
import PostgresNIO

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
        // When each instance applied each version of a state row (the fleet breaker's evidence of propagation).
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_applied (ledger text NOT NULL, name text NOT NULL, \
        instance text NOT NULL, version bigint NOT NULL, applied_at timestamptz NOT NULL, \
        PRIMARY KEY (ledger, name, instance, version))
        """,
    ]

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
