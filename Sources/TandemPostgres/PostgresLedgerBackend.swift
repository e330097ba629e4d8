import Foundation
import NIOCore
import PostgresNIO
import Synchronization
import Tandem

/// A ledger in a PostgreSQL database, shared by every instance of a service (DESIGN section 10, "Fleet ledger").
///
/// The URL names the database and, with `?table=NAME`, the ledger inside it (default `tandem`): one database holds
/// the ledgers of many migrations side by side. Each instance keeps its own checkpoint of its report and its own
/// breaker transitions; comparison counts go to one-second buckets of the server's clock, one row per (instance,
/// second), set by assignment; state rows change only by compare-and-set, each change leaving one row in the ledger's
/// history of changes and a notification on the `tandem_ledger` channel.
///
/// Every call runs in one transaction and reconnects with backoff when the connection is lost (as the record
/// stores do); failures are `LedgerError`s naming the URL without its password.
public final class PostgresLedgerBackend: LedgerBackend {
    /// The schema version this Tandem writes; a ledger marked with a newer one is refused.
    public static let schemaVersion = 1
    /// The channel state changes are announced on (payload: `ledger name version`).
    public static let channel = "tandem_ledger"

    public let name: String
    /// The ledger's name inside its database (the URL's `table`, default `tandem`).
    public let ledger: String
    /// The instance whose checkpoint and transitions this backend writes.
    public let instance: String

    let location: PostgresLocation
    private let session: PostgresSession

    /// Opens the ledger at `location` for `instance` (`host:pid` when nil), creating its tables if needed; with
    /// `createTables` false (a reader: `tandem report`, `tandem status`) nothing is created, and a database without
    /// them reads as an empty ledger that refuses writes. With `initial`, the instance's first checkpoint is written as
    /// it opens.
    ///
    /// - Throws: `LedgerError` naming the URL: `openFailed` when the server cannot be reached or refuses the role,
    ///   `unsupportedVersion` for a ledger from a newer Tandem, `notALedger` when a table of the ledger's name exists
    ///   without the ledger's columns (nothing is changed then).
    public init(
        location: PostgresLocation, instance: String? = nil, initial: Report? = nil,
        retryBudget: Duration = .seconds(30), createTables: Bool = true
    ) throws(LedgerError) {
        self.location = location
        self.name = location.description
        self.ledger = location.table ?? "tandem"
        self.instance = instance ?? Ledger.defaultInstance()
        let session: PostgresSession
        let found: [String: Set<String>]
        do {
            session = try PostgresSession(
                location: location, retryBudget: retryBudget, setup: ["SET synchronous_commit = on"])
            found = try session.run { (client) throws(StoreError) in
                try PostgresLedgerSchema.existingColumns(client, location: location)
            }
        } catch {
            throw LedgerError(error, fallback: .openFailed)
        }
        self.session = session
        exists = Atomic(createTables || found.count == PostgresLedgerSchema.columns.count)
        // A newer Tandem's ledger (which may have other columns) is named as such first.
        if found["tandem_ledger_schema"] != nil { try checkVersion() }
        for (table, columns) in found where columns != PostgresLedgerSchema.columns[table] {
            throw LedgerError(
                code: .notALedger, path: location.description,
                message: "table \(table) exists with columns \(columns.sorted().joined(separator: ", ")), not a Tandem "
                    + "ledger's (\(PostgresLedgerSchema.columns[table, default: []].sorted().joined(separator: ", ")))")
        }
        if createTables {
            try run(.openFailed) { (client) throws(StoreError) in
                try client.execute("BEGIN")
                // One creator at a time: CREATE TABLE IF NOT EXISTS races with itself on a fresh database.
                try client.execute("SELECT pg_advisory_xact_lock(hashtext('tandem_ledger_schema'))")
                for statement in PostgresLedgerSchema.create { try client.execute(statement) }
                try client.execute("COMMIT")
            }
        }
        if createTables { try checkVersion() }
        if let initial { try writeCheckpoint(initial, pending: []) }
    }

    /// Whether the database holds the ledger's tables (a reader opened on one without them reads an empty ledger,
    /// and looks again at every call until a run has created them).
    private let exists: Atomic<Bool>

    private func hasTables() throws(LedgerError) -> Bool {
        if exists.load(ordering: .acquiring) { return true }
        let found = try run(.readFailed) { (client) throws(StoreError) -> Bool in
            guard let row = try client.query("SELECT to_regclass('tandem_ledger_state_changes') IS NOT NULL").first
            else { return false }
            return try PostgresTables.decode(row, as: Bool.self, location: location)
        }
        if found { exists.store(true, ordering: .releasing) }
        return found
    }

    /// A write to a database a reader found without the ledger's tables.
    private func refuseWithoutTables() throws(LedgerError) {
        guard try hasTables() else {
            throw LedgerError(
                code: .readOnly, path: name,
                message: "the database holds no Tandem ledger, and this reader does not create one")
        }
    }

    // MARK: Checkpoints and transitions

    public func writeTransitions(_ transitions: [LedgerTransition]) throws(LedgerError) {
        guard !transitions.isEmpty else { return }
        try refuseWithoutTables()
        let rows = try transitions.map { (numbered) throws(LedgerError) in
            (numbered.seq, try encode(numbered.transition))
        }
        try transaction(.writeFailed) { (client) throws(StoreError) in
            try client.query(PostgresLedgerSchema.upsertTransitions(ledger, instance, rows), fallback: .writeFailed)
        }
    }

    public func writeCheckpoint(_ report: Report, pending: [LedgerTransition]) throws(LedgerError) {
        try refuseWithoutTables()
        let body = try encode(report)
        var rows: [(Int, [UInt8])] = []
        for (offset, transition) in report.transitions.enumerated() {
            rows.append((offset + 1, try encode(transition)))
        }
        for numbered in pending where numbered.seq > report.transitions.count {
            rows.append((numbered.seq, try encode(numbered.transition)))
        }
        try transaction(.writeFailed) { (client) throws(StoreError) in
            try client.query(
                """
                INSERT INTO tandem_ledger_checkpoints (ledger, instance, report, transitions, at) \
                VALUES (\(ledger), \(instance), \(ByteBuffer(bytes: body)), \(report.transitions.count), now()) \
                ON CONFLICT (ledger, instance) DO UPDATE SET report = excluded.report, \
                transitions = excluded.transitions, at = excluded.at
                """, fallback: .writeFailed)
            // The transitions past the report's are the buffered ones; older numbers beyond them are dropped.
            try client.query(
                """
                DELETE FROM tandem_ledger_transitions WHERE ledger = \(ledger) AND instance = \(instance) \
                AND seq > \(rows.count)
                """, fallback: .writeFailed)
            if !rows.isEmpty {
                try client.query(PostgresLedgerSchema.upsertTransitions(ledger, instance, rows), fallback: .writeFailed)
            }
        }
    }

    /// The report of this instance's last checkpoint; when this instance never wrote one (`tandem report` reading a
    /// fleet's ledger), the newest checkpoint of any instance. Transitions written after it are added.
    public func loadReport() throws(LedgerError) -> Report {
        try loadReport(instance: nil)
    }

    /// The report of `instance`'s last checkpoint (nil: this backend's instance, else the newest of any instance),
    /// plus the transitions it wrote after it and the rollout's state row.
    public func loadReport(instance wanted: String?) throws(LedgerError) -> Report {
        let own = instance
        let loaded =
            try !hasTables()
            ? nil
            : transaction(.readFailed) {
                (client) throws(StoreError) -> (String, [UInt8], Int, [[UInt8]], [UInt8]?)? in
                let filter: PostgresQuery =
                    if let wanted {
                        "SELECT instance, report, transitions FROM tandem_ledger_checkpoints WHERE ledger = \(ledger) AND instance = \(wanted)"
                    } else {
                        """
                        SELECT instance, report, transitions FROM tandem_ledger_checkpoints WHERE ledger = \(ledger) \
                        ORDER BY (instance = \(own)) DESC, at DESC, instance LIMIT 1
                        """
                    }
                guard let row = try client.query(filter).first else { return nil }
                let (owner, body, count) = try PostgresTables.decode(
                    row, as: (String, ByteBuffer, Int).self, location: location)
                var late: [[UInt8]] = []
                for row in try client.query(
                    """
                    SELECT body FROM tandem_ledger_transitions WHERE ledger = \(ledger) AND instance = \(owner) \
                    AND seq > \(count) ORDER BY seq
                    """)
                {
                    late.append(Array(buffer: try PostgresTables.decode(row, as: ByteBuffer.self, location: location)))
                }
                let rollout = try client.query(
                    "SELECT value FROM tandem_ledger_state WHERE ledger = \(ledger) AND name = \(RolloutController.ledgerRow)"
                ).first.map { (row) throws(StoreError) in
                    Array(buffer: try PostgresTables.decode(row, as: ByteBuffer.self, location: location))
                }
                return (owner, Array(buffer: body), count, late, rollout)
            }
        guard let (owner, body, _, late, rollout) = loaded else {
            let whose = wanted.map { " of instance \($0)" } ?? ""
            throw LedgerError(code: .noCheckpoint, path: name, message: "the ledger holds no checkpoint\(whose) yet")
        }
        var report = try decode(Report.self, body, what: "the checkpoint of \(owner)")
        try report.takeRolloutRow(rollout, ledger: name)
        var transitions: [Report.Transition] = []
        for body in late {
            transitions.append(try decode(Report.Transition.self, body, what: "a transition of \(owner)"))
        }
        report.appendLateTransitions(transitions)
        return report
    }

    /// The instances with a checkpoint in this ledger, and when each last wrote one (Unix milliseconds).
    public func checkpointedInstances() throws(LedgerError) -> [(instance: String, at: Int64)] {
        guard try hasTables() else { return [] }
        return try run(.readFailed) { (client) throws(StoreError) in
            try client.query(
                """
                SELECT instance, (extract(epoch FROM at) * 1000)::bigint FROM tandem_ledger_checkpoints \
                WHERE ledger = \(ledger) ORDER BY instance
                """
            ).map { (row) throws(StoreError) in
                try PostgresTables.decode(row, as: (String, Int64).self, location: location)
            }
        }
    }

    // MARK: Buckets

    public func currentSecond() throws(LedgerError) -> Int64 {
        try run(.readFailed) { (client) throws(StoreError) in
            guard let row = try client.query("SELECT floor(extract(epoch FROM clock_timestamp()))::bigint").first
            else { throw StoreError(code: .readFailed, path: name, message: "the server did not tell its time") }
            return try PostgresTables.decode(row, as: Int64.self, location: location)
        }
    }

    public func recordCounts(_ buckets: [LedgerBucket]) throws(LedgerError) {
        guard !buckets.isEmpty else { return }
        try refuseWithoutTables()
        try transaction(.writeFailed) { (client) throws(StoreError) in
            try client.query(
                """
                INSERT INTO tandem_ledger_buckets (ledger, instance, second, compared, mismatched, breaker_version) \
                SELECT \(ledger), * FROM unnest(\(buckets.map(\.instance))::text[], \(buckets.map(\.second))::bigint[], \
                \(buckets.map { Int64($0.compared) })::bigint[], \(buckets.map { Int64($0.mismatched) })::bigint[], \
                \(buckets.map(\.breakerVersion))::bigint[]) \
                ON CONFLICT (ledger, second, instance) DO UPDATE SET compared = excluded.compared, \
                mismatched = excluded.mismatched, breaker_version = excluded.breaker_version
                """, fallback: .writeFailed)
        }
    }

    public func buckets(since: Int64) throws(LedgerError) -> [LedgerBucket] {
        guard try hasTables() else { return [] }
        return try run(.readFailed) { (client) throws(StoreError) in
            try client.query(
                """
                SELECT instance, second, compared, mismatched, breaker_version FROM tandem_ledger_buckets \
                WHERE ledger = \(ledger) AND second >= \(since) ORDER BY second, instance
                """
            ).map { (row) throws(StoreError) in
                let (instance, second, compared, mismatched, version) = try PostgresTables.decode(
                    row, as: (String, Int64, Int64, Int64, Int64).self, location: location)
                return LedgerBucket(
                    instance: instance, second: second, compared: Int(compared), mismatched: Int(mismatched),
                    breakerVersion: version)
            }
        }
    }

    /// Sums on the server: one row per instance comes back, however many buckets the window holds.
    public func windowCounts(since: Int64, version: Int64?, newest: Int?) throws(LedgerError)
        -> [String: ComparisonCounts]
    {
        guard try hasTables() else { return [:] }
        let limit = newest.map { Int64($0) }
        return try run(.readFailed) { (client) throws(StoreError) -> [String: ComparisonCounts] in
            var counts: [String: ComparisonCounts] = [:]
            // A second is in the window when the seconds newer than it hold fewer than `newest` comparisons.
            for row in try client.query(
                """
                WITH b AS (SELECT second, instance, compared, mismatched FROM tandem_ledger_buckets \
                WHERE ledger = \(ledger) AND second >= \(since) \
                AND (\(version)::bigint IS NULL OR breaker_version = \(version)::bigint)), \
                s AS (SELECT second, sum(sum(compared)) OVER (ORDER BY second DESC) - sum(compared) AS before \
                FROM b GROUP BY second), \
                cut AS (SELECT min(second) AS second FROM s WHERE \(limit)::bigint IS NULL OR before < \(limit)::bigint) \
                SELECT instance, sum(compared)::bigint, sum(mismatched)::bigint FROM b, cut \
                WHERE b.second >= cut.second GROUP BY instance
                """)
            {
                let (instance, compared, mismatched) = try PostgresTables.decode(
                    row, as: (String, Int64, Int64).self, location: location)
                counts[instance] = ComparisonCounts(compared: Int(compared), mismatched: Int(mismatched))
            }
            return counts
        }
    }

    // MARK: State rows

    public func state(_ name: String) throws(LedgerError) -> LedgerStateRow? {
        guard try hasTables() else { return nil }
        return try run(.readFailed) { (client) throws(StoreError) in try stateRow(name, client)?.row }
    }

    public func compareAndSet(_ name: String, expected: Int64?, value: [UInt8]) throws(LedgerError)
        -> (won: Bool, row: LedgerStateRow)
    {
        try refuseWithoutTables()
        // The change carries a token of its own: a commit whose answer was lost to a dropped connection is retried,
        // loses to itself, and is recognised as this call's by its token.
        let token = UUID().uuidString
        return try transaction(.writeFailed) { (client) throws(StoreError) -> (won: Bool, row: LedgerStateRow) in
            let changed: PostgresQuery =
                if let expected {
                    """
                    UPDATE tandem_ledger_state SET version = version + 1, value = \(ByteBuffer(bytes: value)), \
                    token = \(token), updated_at = \(unescaped: PostgresLedgerSchema.nowMillis) \
                    WHERE ledger = \(ledger) AND name = \(name) AND version = \(expected) \
                    RETURNING version, value, updated_at, token
                    """
                } else {
                    """
                    INSERT INTO tandem_ledger_state (ledger, name, version, value, token, updated_at) \
                    VALUES (\(ledger), \(name), 1, \(ByteBuffer(bytes: value)), \(token), \
                    \(unescaped: PostgresLedgerSchema.nowMillis)) ON CONFLICT (ledger, name) DO NOTHING \
                    RETURNING version, value, updated_at, token
                    """
                }
            if let row = try client.query(changed, fallback: .writeFailed).first {
                let won = try stateRow(name, row)
                try client.query(
                    """
                    INSERT INTO tandem_ledger_state_changes (ledger, name, version, value, instance, token, at) \
                    VALUES (\(ledger), \(name), \(won.row.version), \(ByteBuffer(bytes: value)), \(instance), \
                    \(token), now())
                    """, fallback: .writeFailed)
                try client.query(
                    "SELECT pg_notify(\(Self.channel), \(ledger + " " + name + " " + String(won.row.version)))",
                    fallback: .writeFailed)
                return (true, won.row)
            }
            guard let current = try stateRow(name, client) else {
                return (false, LedgerStateRow(name: name, version: 0, value: [], updatedAt: 0))
            }
            return (current.token == token, current.row)
        }
    }

    /// The changes of state row `name` from version `since` on, oldest first: one row per change.
    public func stateChanges(_ name: String, since: Int64 = 1) throws(LedgerError)
        -> [(version: Int64, value: [UInt8], instance: String)]
    {
        guard try hasTables() else { return [] }
        return try run(.readFailed) { (client) throws(StoreError) in
            try client.query(
                """
                SELECT version, value, instance FROM tandem_ledger_state_changes \
                WHERE ledger = \(ledger) AND name = \(name) AND version >= \(since) ORDER BY version
                """
            ).map { (row) throws(StoreError) in
                let (version, value, instance) = try PostgresTables.decode(
                    row, as: (Int64, ByteBuffer, String).self, location: location)
                return (version, Array(buffer: value), instance)
            }
        }
    }

    // MARK: Helpers

    /// A connection of its own for LISTEN.
    func listener() throws(StoreError) -> PostgresConnection {
        try session.openConnection()
    }

    private func stateRow(_ name: String, _ client: PostgresSession.Client) throws(StoreError)
        -> (row: LedgerStateRow, token: String)?
    {
        try client.query(
            """
            SELECT version, value, updated_at, token FROM tandem_ledger_state \
            WHERE ledger = \(ledger) AND name = \(name)
            """
        ).first.map { (row) throws(StoreError) in try stateRow(name, row) }
    }

    private func stateRow(_ name: String, _ row: PostgresRow) throws(StoreError)
        -> (row: LedgerStateRow, token: String)
    {
        let (version, value, updatedAt, token) = try PostgresTables.decode(
            row, as: (Int64, ByteBuffer, Int64, String).self, location: location)
        return (LedgerStateRow(name: name, version: version, value: Array(buffer: value), updatedAt: updatedAt), token)
    }

    private func checkVersion() throws(LedgerError) {
        let stored = try run(.openFailed) { (client) throws(StoreError) -> Int? in
            try client.query("SELECT max(version) FROM tandem_ledger_schema").first.map {
                (row) throws(StoreError) in
                try PostgresTables.decode(row, as: Int?.self, location: location)
            } ?? nil
        }
        if let stored, stored > Self.schemaVersion {
            throw LedgerError(
                code: .unsupportedVersion, path: name,
                message: "the ledger's tables are version \(stored), written by a newer Tandem (this one knows "
                    + "version \(Self.schemaVersion))")
        }
    }

    private func encode(_ value: some Encodable) throws(LedgerError) -> [UInt8] {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        do { return Array(try encoder.encode(value)) } catch {
            throw LedgerError(code: .writeFailed, path: name, message: "cannot encode the checkpoint: \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(LedgerError) -> T {
        do { return try PropertyListDecoder().decode(type, from: Data(bytes)) } catch {
            throw LedgerError(code: .corrupt, path: name, message: "\(what) does not read back: \(error)")
        }
    }

    private func run<T>(_ code: LedgerError.Code, _ body: (PostgresSession.Client) throws(StoreError) -> T)
        throws(LedgerError) -> T
    {
        do { return try session.run(body) } catch { throw LedgerError(error, fallback: code) }
    }

    private func transaction<T>(
        _ code: LedgerError.Code, _ body: (PostgresSession.Client) throws(StoreError) -> T
    ) throws(LedgerError) -> T {
        do { return try session.transaction(body) } catch { throw LedgerError(error, fallback: code) }
    }
}
