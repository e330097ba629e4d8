import CSQLite
import Dispatch
import Synchronization

/// The ``RecordBackend`` over two SQLite files, each with the documented `tandem_records` table (DESIGN section 5):
/// the embedded default.
///
/// Outbox mode opens both files in WAL mode, each with a connection of its own, and runs their checkpoints on a
/// background thread. Atomic mode opens both in rollback-journal mode and ATTACHes the shadow to the primary
/// connection, since SQLite commits attached files atomically only then.
public final class SQLiteRecordBackend: RecordBackend {
    /// The primary (v2) store file.
    public let primaryPath: String
    /// The shadow (v1) store file.
    public let shadowPath: String
    /// The write mode the files were opened for.
    public let mode: DualWriteMode
    /// How long a connection waits for another connection's lock.
    public let busyTimeout: Duration

    public var primaryName: String { primaryPath }
    public var shadowName: String { shadowPath }

    // Locks, always taken in this order: `primary`, then `shadow`.
    /// The primary file's connection (in atomic mode with the shadow ATTACHed as schema `shadow`).
    let primary: Mutex<SQLiteConnection>
    /// Outbox mode: the shadow file's own connection. `nil` in atomic mode.
    let shadow: Mutex<SQLiteConnection?>
    /// Outbox mode: the checkpoints of the primary and the shadow file, off the writers' threads.
    let checkpointers: [BackgroundCheckpointer]
    /// The writer locks of both files, held while the backend lives (``init(primaryPath:shadowPath:mode:durable:busyTimeout:exclusive:)``).
    private let locks: [StoreFileLock]

    /// Opens (creating if needed) both files and their tables.
    ///
    /// Both files are opened and validated before either is changed (journal mode, tables), so a bad shadow leaves
    /// the primary untouched. Throws ``StoreError`` (`openFailed`, `readOnly`, `notADatabase`, `corrupt`,
    /// `schemaMismatch` for a file holding other tables or another `tandem_records`, `locked` when another writer
    /// holds a store, `invalidArgument` when both paths name the same file) naming the file.
    ///
    /// - Parameters:
    ///   - primaryPath: The v2 (primary) store's file.
    ///   - shadowPath: The v1 (shadow) store's file; must be another file.
    ///   - mode: Outbox (default) or atomic dual writes.
    ///   - durable: Sync every commit to disk (`synchronous=FULL`) instead of at checkpoints.
    ///   - busyTimeout: How long an operation waits for another connection's lock before failing `locked`.
    ///   - exclusive: Take both files' writer locks (see <doc:StorageBackends>): what a process that writes
    ///     through the group commit and the outbox relay does. Verify, backfill and repair pass `false` and run
    ///     beside such a writer.
    public init(
        primaryPath: String, shadowPath: String, mode: DualWriteMode = .outbox, durable: Bool = false,
        busyTimeout: Duration = .seconds(5), exclusive: Bool = true
    ) throws(StoreError) {
        // By identity, not spelling: `x.sqlite`, `./x.sqlite` and a link to it are one file.
        guard primaryPath != shadowPath, !StoreFileLock.sameFile(primaryPath, shadowPath) else {
            throw StoreError(
                code: .invalidArgument, path: primaryPath,
                message: "the primary and shadow stores must be different files; '\(shadowPath)' is the same file")
        }
        var locks: [StoreFileLock] = []
        if exclusive {
            for path in [primaryPath, shadowPath] {
                if let lock = try StoreFileLock.acquire(store: path) { locks.append(lock) }
            }
        }
        self.locks = locks
        self.primaryPath = primaryPath
        self.shadowPath = shadowPath
        self.mode = mode
        self.busyTimeout = busyTimeout
        let options = SQLiteConnection.Options(busyTimeoutMilliseconds: busyTimeout.clampedMilliseconds)
        let synchronous = durable ? "FULL" : "NORMAL"

        let primary = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: primaryPath, options: options)
        }
        var shadow: SQLiteConnection?
        switch mode {
        case .outbox:
            shadow = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
                try SQLiteConnection(path: shadowPath, options: options)
            }
        case .atomic:
            try StoreError.mapping(fallback: .openFailed, path: shadowPath) { () throws(SQLiteError) in
                try primary.attachShadow(path: shadowPath)
            }
        }
        try Self.checkLayout(primary: primary, shadow: shadow, shadowPath: shadowPath)

        // SQLite commits attached databases atomically (super-journal) only in rollback-journal mode, never
        // in WAL (sqlite.org/atomiccommit.html section 5, lang_attach.html); outbox mode wants WAL's speed.
        let journal = mode == .atomic ? "DELETE" : "WAL"
        try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try primary.configure(journalMode: journal, synchronous: synchronous)
        }
        try StoreError.mapping(fallback: .openFailed, path: shadowPath) { () throws(SQLiteError) in
            if let shadow {
                try shadow.configure(journalMode: journal, synchronous: synchronous)
                try shadow.createRecordsTable()
            } else {
                try primary.configure(journalMode: journal, synchronous: synchronous, in: .shadow)
                try primary.createRecordsTable(in: .shadow)
            }
        }
        try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in try primary.createDualWriteTables() }

        // Outbox mode: each file's checkpoints run beside its writers instead of inside the commit that fills the WAL.
        var checkpointers: [BackgroundCheckpointer] = []
        if let shadow {
            let queue = DispatchQueue(label: "tandem.dualwriter.checkpoint")
            for connection in [primary, shadow] {
                let checkpointer = BackgroundCheckpointer(path: connection.path, options: options, queue: queue)
                checkpointer.install(on: connection)
                checkpointers.append(checkpointer)
            }
        }
        self.checkpointers = checkpointers
        self.primary = Mutex(primary)
        self.shadow = Mutex(shadow)
        if checkpointers.count == 2 {
            checkpointers[0].setHoldWriters { [weak self] body in
                guard let self else { return }
                self.primary.withLock { _ in body() }
            }
            checkpointers[1].setHoldWriters { [weak self] body in
                guard let self else { return }
                self.shadow.withLock { _ in body() }
            }
        }
    }

    public func checkLayout() throws(StoreError) {
        try primary.withLock { (primary) throws(StoreError) in
            try shadow.withLock { (shadow) throws(StoreError) in
                try Self.checkLayout(primary: primary, shadow: shadow, shadowPath: shadowPath)
            }
        }
    }

    private static func checkLayout(primary: SQLiteConnection, shadow: SQLiteConnection?, shadowPath: String)
        throws(StoreError)
    {
        try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in try primary.checkRecordsTable() }
        try StoreError.mapping(fallback: .openFailed, path: shadowPath) { () throws(SQLiteError) in
            if let shadow { try shadow.checkRecordsTable() } else { try primary.checkRecordsTable(in: .shadow) }
        }
    }

    public func makeReader() throws(StoreError) -> any RecordReader {
        // A second reader in rollback-journal mode would hold a shared lock that blocks commits: read through here.
        guard mode == .outbox else { return SQLiteRecordReader(backend: self) }
        return try SQLiteRecordReader(
            primaryPath: primaryPath, shadowPath: shadowPath, busyTimeout: busyTimeout)
    }

    /// Runs `body` on the shadow file's own connection (outbox mode), mapping its errors to the shadow's path.
    func withShadowConnection<T: Sendable>(
        key: String?, fallback: StoreError.Code, _ body: (SQLiteConnection) throws(SQLiteError) -> T
    )
        throws(StoreError) -> T
    {
        try shadow.withLock { (shadow) throws(StoreError) -> T in
            guard let shadow else {
                throw StoreError(code: fallback, path: shadowPath, key: key, message: "no shadow connection")
            }
            return try StoreError.mapping(key: key, fallback: fallback, path: shadowPath) { () throws(SQLiteError) in
                try body(shadow)
            }
        }
    }
}
