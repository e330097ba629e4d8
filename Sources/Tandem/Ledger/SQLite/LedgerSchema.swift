/// The ledger's tables (schema version 1).
///
/// Users may query a ledger with `sqlite3`. Instants are stored twice: `at` holds the exact decimal of the
/// `Double` seconds since Foundation's reference date (2001-01-01T00:00:00Z), so a report rebuilds bit for bit,
/// and `at_unix_ms` the same instant in Unix milliseconds for queries. Ratios are stored as the exact decimal text of
/// a `Double` (`0.99995`, `nan`). `v1` and `v2` hold the compact proto3 JSON of a diff's value, already redacted,
/// or NULL when the side has no value.
enum LedgerSchema {
    /// The version this build writes and reads.
    static let version: Int64 = 1

    /// The table whose presence marks a file as a ledger.
    static let versionTable = "tandem_ledger_version"

    /// Every table a ledger holds, in creation order.
    static let tables = [
        versionTable, "tandem_ledger_run", "tandem_ledger_transitions", "tandem_ledger_groups",
        "tandem_ledger_group_samples", "tandem_ledger_mismatches", "tandem_ledger_mismatch_diffs",
        "tandem_ledger_cohorts", "tandem_ledger_timeline", "tandem_ledger_settings", "tandem_ledger_buckets",
        "tandem_ledger_state", "tandem_ledger_flags", "tandem_ledger_job", "tandem_ledger_job_keys",
        "tandem_ledger_legacy_unknown_fields",
    ]

    /// The DDL of version 1 (every value is bound at run time; no value is ever part of SQL text).
    static let createStatements =
        [
            "CREATE TABLE tandem_ledger_version(version INTEGER NOT NULL, created_at_unix_ms INTEGER NOT NULL)",
            """
            CREATE TABLE tandem_ledger_run(
                id INTEGER PRIMARY KEY CHECK (id = 1),
                report_version INTEGER NOT NULL, plan TEXT NOT NULL, plan_fingerprint TEXT NOT NULL, source TEXT NOT NULL,
                started_at TEXT NOT NULL, finished_at TEXT NOT NULL, finished_at_unix_ms INTEGER NOT NULL,
                writes INTEGER NOT NULL, reads INTEGER NOT NULL, deletes INTEGER NOT NULL,
                compared INTEGER NOT NULL, matched INTEGER NOT NULL, mismatched INTEGER NOT NULL,
                in_flight INTEGER NOT NULL, shed INTEGER NOT NULL, bad_lines INTEGER NOT NULL,
                repaired INTEGER NOT NULL, unknown_fields INTEGER NOT NULL,
                consistency TEXT NOT NULL, interval_low TEXT NOT NULL, interval_high TEXT NOT NULL,
                interval_confidence TEXT NOT NULL,
                gate_min_consistency TEXT NOT NULL, gate_min_samples INTEGER NOT NULL, gate_passed INTEGER NOT NULL,
                gate_confident INTEGER NOT NULL, gate_inconclusive INTEGER NOT NULL, gate_reason TEXT NOT NULL,
                breaker_state TEXT NOT NULL, transitions_checkpointed INTEGER NOT NULL,
                checkpoints INTEGER NOT NULL, checkpointed_at_unix_ms INTEGER NOT NULL)
            """,
            """
            CREATE TABLE tandem_ledger_transitions(
                seq INTEGER PRIMARY KEY, at TEXT NOT NULL, at_unix_ms INTEGER NOT NULL, from_state TEXT NOT NULL,
                to_state TEXT NOT NULL, mismatch_rate TEXT NOT NULL, samples INTEGER NOT NULL)
            """,
            """
            CREATE TABLE tandem_ledger_groups(
                rank INTEGER PRIMARY KEY, path TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL)
            """,
            """
            CREATE TABLE tandem_ledger_group_samples(
                group_rank INTEGER NOT NULL, ordinal INTEGER NOT NULL, key TEXT, path TEXT, kind TEXT,
                v1 TEXT, v2 TEXT, detail TEXT, PRIMARY KEY (group_rank, ordinal)) WITHOUT ROWID
            """,
            "CREATE TABLE tandem_ledger_mismatches(ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL)",
            """
            CREATE TABLE tandem_ledger_mismatch_diffs(
                mismatch INTEGER NOT NULL, ordinal INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
                v1 TEXT, v2 TEXT, detail TEXT, PRIMARY KEY (mismatch, ordinal)) WITHOUT ROWID
            """,
            """
            CREATE TABLE tandem_ledger_cohorts(
                name TEXT PRIMARY KEY, compared INTEGER NOT NULL, mismatched INTEGER NOT NULL) WITHOUT ROWID
            """,
            """
            CREATE TABLE tandem_ledger_timeline(
                seq INTEGER PRIMARY KEY, at TEXT NOT NULL, at_unix_ms INTEGER NOT NULL, compared INTEGER NOT NULL,
                mismatched INTEGER NOT NULL)
            """,
            "CREATE TABLE tandem_ledger_settings(ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)",
        ] + stateStatements

    /// The tables of per-second counts and versioned state rows, added to version 1 without changing what it held:
    /// created with the rest, and on opening a ledger made before them.
    static let stateStatements = [
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_buckets(
            instance TEXT NOT NULL, second INTEGER NOT NULL, compared INTEGER NOT NULL, mismatched INTEGER NOT NULL,
            breaker_version INTEGER NOT NULL, PRIMARY KEY (instance, second)) WITHOUT ROWID
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_state(
            name TEXT PRIMARY KEY, version INTEGER NOT NULL, value BLOB NOT NULL,
            updated_at_unix_ms INTEGER NOT NULL) WITHOUT ROWID
        """,
        // Report flags (`mismatches_truncated`, `keys_redacted`) as 0/1.
        "CREATE TABLE IF NOT EXISTS tandem_ledger_flags(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
        // A backfill or repair run (DESIGN 11): its counts, and every key it repaired or could not fill.
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_job(
            id INTEGER PRIMARY KEY CHECK (id = 1), kind TEXT NOT NULL, direction TEXT, dry_run INTEGER NOT NULL,
            complete INTEGER NOT NULL, resumed INTEGER NOT NULL, scanned INTEGER NOT NULL, written INTEGER NOT NULL,
            unchanged INTEGER NOT NULL, raced INTEGER NOT NULL, tombstoned INTEGER NOT NULL, failed INTEGER NOT NULL,
            missing_in_primary INTEGER NOT NULL, absent INTEGER NOT NULL, entries_omitted INTEGER NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_job_keys(
            ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL, action TEXT NOT NULL, reason TEXT, old_hash TEXT,
            new_hash TEXT, at TEXT NOT NULL, at_unix_ms INTEGER NOT NULL)
        """,
        // Unknown fields of the legacy writer's v1 payloads, per field path, counted when written (DESIGN 4).
        """
        CREATE TABLE IF NOT EXISTS tandem_ledger_legacy_unknown_fields(
            path TEXT PRIMARY KEY, number INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID
        """,
    ]

    /// State rows whose names start with this survive a new run in the same ledger: the positions of resumable jobs
    /// (a backfill's last key), which a rerun continues from.
    static let resumablePrefix = "resume/"
    /// The rollout's state row survives a new run too: a restarted service or replay resumes its rollout.
    static let rolloutRow = "rollout"

    /// What a file holds, judged by its tables.
    enum Content: Equatable {
        /// No tables at all: a new or empty database, safe to make a ledger of.
        case empty
        /// A ledger of the given schema version.
        case ledger(version: Int64)
        /// Tables, but not a ledger's.
        case foreign
    }

    /// Inspects the tables of `connection`'s main database.
    static func content(of connection: SQLiteConnection) throws(SQLiteError) -> Content {
        let names = try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table'") { $0.text(0) }
        if names.isEmpty { return .empty }
        guard names.contains(versionTable) else { return .foreign }
        let version = try connection.queryOne("SELECT max(version) FROM tandem_ledger_version") {
            $0.isNull(0) ? nil : $0.int64(0)
        }
        return .ledger(version: (version ?? nil) ?? 0)
    }

    /// Creates the tables of an empty database and stamps the version; call inside a transaction.
    static func create(in connection: SQLiteConnection, nowUnixMillis: Int64) throws(SQLiteError) {
        for statement in createStatements { try connection.execute(statement) }
        try connection.run(
            "INSERT INTO tandem_ledger_version(version, created_at_unix_ms) VALUES (?, ?)",
            [.integer(version), .integer(nowUnixMillis)])
    }

    /// Empties every table but the version stamp, adding the tables a ledger made before them lacks; call inside a
    /// transaction.
    static func reset(in connection: SQLiteConnection) throws(SQLiteError) {
        for statement in stateStatements { try connection.execute(statement) }
        for table in tables where table != versionTable && table != "tandem_ledger_state" {
            // Table names come from the constant list above, never from input.
            try connection.execute("DELETE FROM \(table)")
        }
        try connection.run(
            "DELETE FROM tandem_ledger_state WHERE substr(name, 1, ?) != ? AND name != ?",
            [.integer(Int64(resumablePrefix.utf8.count)), .text(resumablePrefix), .text(rolloutRow)])
    }
}
