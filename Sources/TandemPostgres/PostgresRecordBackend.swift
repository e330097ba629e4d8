import Foundation
import NIOCore
import PostgresNIO
import Synchronization
import Tandem

/// The `RecordBackend` over two PostgreSQL tables (DESIGN section 10): the store for fleets, where many processes
/// dual-write into the database they already run.
///
/// Each table has the documented columns (`key TEXT`, `payload BYTEA`, `seq BIGINT`, `written_at BIGINT`). Beside the
/// primary table live `tandem_outbox` (pending shadow writes, naming their primary and shadow tables) and
/// `tandem_keys` (each key's last seq and, once deleted, its tombstone); a key's row in `tandem_keys` is the lock
/// under which its next seq is assigned, so two writers never stamp the same seq. A shadow row is only ever replaced
/// by a write with a larger seq, so a replayed or late shadow write never overwrites a newer row.
///
/// `atomic` mode writes both tables in one transaction and needs both in one database; `outbox` mode allows two.
public final class PostgresRecordBackend: RecordBackend {
    /// The table a primary URL without `?table=` names.
    public static let defaultPrimaryTable = "tandem_v2"
    /// The table a shadow URL without `?table=` names.
    public static let defaultShadowTable = "tandem_v1"

    /// The primary (v2) table's location, its table filled in.
    public let primaryLocation: PostgresLocation
    /// The shadow (v1) table's location, its table filled in.
    public let shadowLocation: PostgresLocation
    /// The write mode.
    public let mode: DualWriteMode

    public var primaryName: String { primaryLocation.description }
    public var shadowName: String { shadowLocation.description }

    /// How many groups of writes commit at once, each on a connection of its own to the primary's database: one
    /// group's round trip and flush overlap the next one's (the dual writer never gives two of them a common key).
    public static let commitConnections = 2

    public var concurrentCommits: Int { Self.commitConnections }

    let tables: PostgresTables
    /// Writes to the primary's database (and, in atomic mode, to the shadow table in it): the first commit
    /// connection, and the connection of the outbox's own maintenance (clearing, replay).
    let writer: PostgresSession
    /// The connections groups of writes commit on (see ``commitConnections``): the others than `writer` are opened
    /// when first needed (a backend that only reads, for verify or diff, never opens them).
    let commitSlots: Mutex<CommitSlots>
    /// The most commits that held a commit connection at once so far.
    let mostConcurrentCommits = Atomic<Int>(0)
    /// Outbox mode: writes to the shadow's database.
    let shadowWriter: PostgresSession?
    /// Reads and conditional writes of each side, apart from the writer's connection.
    let primaryReads: PostgresSession
    let shadowReads: PostgresSession
    /// The backend's own reads, on ``primaryReads`` and ``shadowReads``.
    let reads: PostgresRecordReader
    /// How many groups of writes (primary or shadow) ran again row by row after their one statement failed.
    let rowByRowRetries = Atomic<Int>(0)
    /// Outbox rows the relay's own statement already removed (both tables in one database), until the writer hands
    /// them over as settled: ``commitPrimary(_:settling:isolateRows:)`` and ``clearOutbox(_:)`` skip them.
    let removedByRelay = Mutex<Set<OutboxRow>>([])
    /// The page of pairs after the last one returned, asked for ahead (see ``pairs(after:limit:)``).
    let prefetchedPage = Mutex<PrefetchedPage?>(nil)

    /// The commit connections, and those of them no commit holds.
    struct CommitSlots {
        var sessions: [PostgresSession?]
        var idle: [Int]
    }

    /// A page of pairs asked for before it is needed.
    struct PrefetchedPage: Sendable {
        let after: String
        let limit: Int
        let rows: EventLoopFuture<[PostgresRow]>
    }

    /// Opens both tables, creating them (and the outbox and key tables) if absent.
    ///
    /// Throws `StoreError` naming the store: `invalidArgument` when both URLs name the same table, or when atomic
    /// mode is asked of tables in two databases; `schemaMismatch` (nothing changed) when a table exists with other
    /// columns; `connectionLost` or `openFailed` when the server cannot be reached or refuses the login.
    ///
    /// - Parameters:
    ///   - primary: The v2 table (default table `tandem_v2`).
    ///   - shadow: The v1 table (default table `tandem_v1`).
    ///   - mode: Outbox (default) or atomic dual writes.
    ///   - retryBudget: How long a call keeps reconnecting after losing its connection before it fails.
    ///   - onConnectionEvent: Called when a connection is lost and when it is restored (from the thread whose call
    ///     retries).
    public init(
        primary: PostgresLocation, shadow: PostgresLocation, mode: DualWriteMode = .outbox,
        retryBudget: Duration = .seconds(30), onConnectionEvent: (@Sendable (PostgresConnectionEvent) -> Void)? = nil
    ) throws(StoreError) {
        let primary = primary.table == nil ? primary.naming(table: Self.defaultPrimaryTable) : primary
        let shadow = shadow.table == nil ? shadow.naming(table: Self.defaultShadowTable) : shadow
        let sameDatabase = primary.sameDatabase(as: shadow)
        guard !(sameDatabase && primary.table == shadow.table) else {
            throw StoreError(
                code: .invalidArgument, path: primary.description,
                message: "the primary and shadow stores must be different tables; both name '\(primary.table ?? "")'")
        }
        guard mode == .outbox || sameDatabase else {
            throw StoreError(
                code: .invalidArgument, path: primary.description,
                message:
                    "atomic mode needs both tables in one database (one transaction writes both); the shadow "
                    + "'\(shadow)' is in another: use outbox mode")
        }
        primaryLocation = primary
        shadowLocation = shadow
        self.mode = mode
        let tables = PostgresTables(primary: primary, shadow: shadow)
        self.tables = tables
        writer = try PostgresSession(location: primary, retryBudget: retryBudget, onEvent: onConnectionEvent)
        let sessions = [writer] + Array(repeating: nil, count: Self.commitConnections - 1)
        commitSlots = Mutex(CommitSlots(sessions: sessions, idle: Array(sessions.indices.reversed())))
        // A shadow write on the primary's server need not wait for its own flush: the outbox row it settles is removed
        // by a later synchronous commit on the same write-ahead log, which flushes it first; until then the outbox row
        // replays it. On another server it is flushed at its commit.
        let asynchronous = primary.sameServer(as: shadow) ? ["SET synchronous_commit = off"] : []
        shadowWriter =
            mode == .outbox
            ? try PostgresSession(
                location: shadow, retryBudget: retryBudget, onEvent: onConnectionEvent, setup: asynchronous) : nil
        primaryReads = try PostgresSession(location: primary, retryBudget: retryBudget, onEvent: onConnectionEvent)
        shadowReads =
            sameDatabase
            ? primaryReads : try PostgresSession(location: shadow, retryBudget: retryBudget, onEvent: onConnectionEvent)
        reads = try PostgresRecordReader(
            primary: primaryReads, shadow: sameDatabase ? nil : shadowReads, tables: tables)

        // Both tables are checked before either database is changed.
        try checkLayout()
        try writer.transaction { (client) throws(StoreError) in
            try client.execute("SELECT pg_advisory_xact_lock(\(PostgresTables.setupLock))")
            try client.execute(tables.createRecords(tables.primary))
            try client.execute(tables.createOutbox)
            try client.execute(tables.createKeys)
            if sameDatabase { try client.execute(tables.createRecords(tables.shadow)) }
        }
        if !sameDatabase {
            try shadowReads.transaction { (client) throws(StoreError) in
                try client.execute("SELECT pg_advisory_xact_lock(\(PostgresTables.setupLock))")
                try client.execute(tables.createRecords(tables.shadow))
            }
        }
    }

    /// Opens the tables two URLs name (see ``init(primary:shadow:mode:retryBudget:onConnectionEvent:)``).
    public convenience init(
        primaryURL: String, shadowURL: String, mode: DualWriteMode = .outbox, retryBudget: Duration = .seconds(30),
        onConnectionEvent: (@Sendable (PostgresConnectionEvent) -> Void)? = nil
    ) throws(StoreError) {
        try self.init(
            primary: try PostgresLocation(url: primaryURL), shadow: try PostgresLocation(url: shadowURL), mode: mode,
            retryBudget: retryBudget, onConnectionEvent: onConnectionEvent)
    }

    public func checkLayout() throws(StoreError) {
        let tables = self.tables
        for (side, session) in [(DualWriter.Side.primary, primaryReads), (.shadow, shadowReads)] {
            let table = side == .primary ? tables.primary : tables.shadow
            let location = side == .primary ? primaryLocation : shadowLocation
            let columns = try session.run { (client) throws(StoreError) -> [String] in
                try client.query(tables.columns(of: table)).map { row throws(StoreError) -> String in
                    let (name, type) = try PostgresTables.decode(row, as: (String, String).self, location: location)
                    return "\(name) \(type)"
                }
            }
            guard columns.isEmpty || columns == PostgresTables.recordColumns else {
                throw StoreError(
                    code: .schemaMismatch, path: location.description,
                    message:
                        "table '\(table.name)' has the columns (\(columns.joined(separator: ", "))), not Tandem's "
                        + "(\(PostgresTables.recordColumns.joined(separator: ", "))); nothing was changed")
            }
        }
    }

    public func makeReader() throws(StoreError) -> any RecordReader {
        try PostgresRecordReader(
            primary: try PostgresSession(
                location: primaryLocation, retryBudget: writer.retryBudget, onEvent: writer.onEvent),
            shadow: primaryLocation.sameDatabase(as: shadowLocation)
                ? nil
                : try PostgresSession(
                    location: shadowLocation, retryBudget: writer.retryBudget, onEvent: writer.onEvent),
            tables: tables)
    }

    /// Runs `body` with a commit connection no other commit holds (the first one, taking turns, if all are held).
    func withCommitter<T>(_ body: (PostgresSession) throws(StoreError) -> T) throws(StoreError) -> T {
        let taken = commitSlots.withLock { slots -> (index: Int, session: PostgresSession?, busy: Int)? in
            slots.idle.popLast().map { ($0, slots.sessions[$0], slots.sessions.count - slots.idle.count) }
        }
        guard let (index, opened, busy) = taken else { return try body(writer) }
        mostConcurrentCommits.max(busy, ordering: .relaxed)
        defer { commitSlots.withLock { $0.idle.append(index) } }
        // The slot is this call's alone until it is given back, so no other call opens its connection meanwhile.
        let session: PostgresSession
        if let opened {
            session = opened
        } else {
            session = try PostgresSession(
                location: primaryLocation, retryBudget: writer.retryBudget, onEvent: writer.onEvent)
            commitSlots.withLock { $0.sessions[index] = session }
        }
        return try body(session)
    }

    /// The session that writes `side`'s table.
    func writeSession(_ side: DualWriter.Side) -> PostgresSession {
        side == .primary ? writer : (shadowWriter ?? writer)
    }

    /// Refuses a key no store may hold: empty, too long, or (PostgreSQL text cannot hold it) with a NUL character.
    static func validate(_ key: String, location: PostgresLocation) throws(StoreError) {
        try RecordKey.validate(key, path: location.description)
        if key.utf8.contains(0) {
            throw StoreError(
                code: .invalidKey, path: location.description, key: key,
                message: "the key holds a NUL character, which PostgreSQL text cannot store")
        }
    }
}
