import CSQLite
import Dispatch
import Synchronization

/// Writes every record to a primary (v2) and a shadow (v1) SQLite store, keeping them in step
/// (DESIGN section 5), and reads them back side by side.
///
/// Safe to share between tasks. Concurrent ``write(key:primary:shadow:)`` calls are grouped into shared
/// transactions (group commit); each caller still gets its own receipt or error.
public final class DualWriter: Sendable {
    /// The primary (v2) store file.
    public let primaryPath: String
    /// The shadow (v1) store file.
    public let shadowPath: String
    /// The configuration the writer was opened with.
    public let configuration: Configuration
    /// Pending outbox rows replayed into the shadow while opening (reported as `totals.repaired`).
    public let repaired: Int

    // Locks, always taken in this order: `connections`, `shadowConnection`, then the leaf locks `relay` and `group`.
    let connections: Mutex<Connections>
    /// Outbox mode: the shadow file's own connection, used by the relay while writers hold `connections`. `nil` in
    /// atomic mode, where the shadow file is ATTACHed to the primary connection as schema `shadow`.
    let shadowConnection: Mutex<SQLiteConnection?>
    let relay: Mutex<ShadowRelay>
    let group: Mutex<GroupQueue>
    let committer = DispatchQueue(label: "tandem.dualwriter.commit")
    /// Writes deferred shadow rows (``ShadowWriteTiming/deferred``), one batch per block.
    let relayQueue = DispatchQueue(label: "tandem.dualwriter.relay")
    /// Delivers deferred shadow-write failures to ``Configuration/onShadowWriteFailure``, in order, off `relayQueue`.
    let reportQueue = DispatchQueue(label: "tandem.dualwriter.report")
    /// Outbox mode: the checkpoints of the primary and the shadow file, off the writers' threads.
    let checkpointers: [BackgroundCheckpointer]

    /// The writer's primary connection.
    struct Connections {
        var primary: SQLiteConnection
    }

    /// Opens (creating if needed) both stores and replays pending outbox rows into the shadow.
    ///
    /// Opening rewrites no row other than replaying the outbox; SQLite rolls back hot journals itself.
    /// Throws ``StoreError`` (`openFailed`, `readOnly`, `notADatabase`, `corrupt`, `schemaMismatch`, `locked`, ...)
    /// naming the file; a failed open leaves both files as they were.
    public init(primaryPath: String, shadowPath: String, configuration: Configuration = Configuration())
        throws(StoreError)
    {
        guard primaryPath != shadowPath else {
            throw StoreError(
                code: .invalidArgument, path: primaryPath,
                message: "the primary and shadow stores must be different files")
        }
        guard configuration.maxBatch > 0 else {
            throw StoreError(code: .invalidArgument, message: "maxBatch must be at least 1")
        }
        self.primaryPath = primaryPath
        self.shadowPath = shadowPath
        self.configuration = configuration
        let options = SQLiteConnection.Options(busyTimeoutMilliseconds: configuration.busyTimeout.clampedMilliseconds)
        let synchronous = configuration.durable ? "FULL" : "NORMAL"

        // Open and validate both files before changing either (journal mode, tables), so a bad shadow
        // leaves the primary untouched.
        let primary = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: primaryPath, options: options)
        }
        var shadow: SQLiteConnection?
        switch configuration.mode {
        case .outbox:
            shadow = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
                try SQLiteConnection(path: shadowPath, options: options)
            }
        case .atomic:
            try StoreError.mapping(fallback: .openFailed, path: shadowPath) { () throws(SQLiteError) in
                try primary.attachShadow(path: shadowPath)
            }
        }
        try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in try primary.checkRecordsTable() }
        try StoreError.mapping(fallback: .openFailed, path: shadowPath) { () throws(SQLiteError) in
            if let shadow { try shadow.checkRecordsTable() } else { try primary.checkRecordsTable(in: .shadow) }
        }

        // SQLite commits attached databases atomically (super-journal) only in rollback-journal mode, never
        // in WAL (sqlite.org/atomiccommit.html section 5, lang_attach.html); outbox mode wants WAL's speed.
        let journal = configuration.mode == .atomic ? "DELETE" : "WAL"
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
        let connections = Mutex(Connections(primary: primary))
        let shadowConnection = Mutex(shadow)
        // Rows that cannot be replayed now stay pending (see `pendingRepairs()`); the open still succeeds
        // so that `verify` can report the divergence.
        self.repaired = connections.withLock { connections in
            shadowConnection.withLock { shadow in
                Self.replayOutbox(
                    primary: connections.primary, shadow: shadow, primaryPath: primaryPath, shadowPath: shadowPath
                ).replayed
            }
        }
        self.connections = connections
        self.shadowConnection = shadowConnection
        self.relay = Mutex(ShadowRelay())
        self.group = Mutex(GroupQueue())
        if checkpointers.count == 2 {
            checkpointers[0].setHoldWriters { [weak self] body in
                guard let self else { return }
                self.connections.withLock { _ in body() }
            }
            checkpointers[1].setHoldWriters { [weak self] body in
                guard let self else { return }
                self.shadowConnection.withLock { _ in body() }
            }
        }
    }

    deinit {
        // Relay blocks hold the writer weakly, so none runs now: write what is still queued here. A clean close
        // leaves no queued shadow row and no settled row in the outbox (a crash may leave both; the next open
        // replays them, which for settled rows changes nothing).
        if configuration.mode == .outbox { drainRelay(closing: true) }
        connections.withLock { clearSettled(&$0) }
    }

    // MARK: - Batch writes

    /// Applies `ops` in one transaction, in order, and returns one receipt per operation.
    ///
    /// All or nothing on the primary: if any operation fails, none is written and the error is thrown.
    /// In outbox mode the shadow side follows the primary commit; if it fails for some rows, the error
    /// has code ``StoreError/Code/shadowPending``: their primary rows are committed and their outbox rows
    /// will be replayed by ``repair()`` or the next open.
    @discardableResult
    public func apply(_ ops: [DualWriteOp]) throws(StoreError) -> [WriteReceipt] {
        for op in ops { try RecordKey.validate(op.key, path: primaryPath) }
        guard !ops.isEmpty else { return [] }
        let outcomes = try connections.withLock { (connections) throws(StoreError) in
            try commit(ops[...], on: &connections, isolateRows: false, deferShadow: false).get()
        }
        var receipts: [WriteReceipt] = []
        receipts.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            receipts.append(try outcome.get())
        }
        return receipts
    }

    /// Applies `ops` in one transaction, isolating failures: each operation gets its own outcome, and a
    /// failing operation does not stop the others.
    public func applyEach(_ ops: [DualWriteOp]) -> [Result<WriteReceipt, StoreError>] {
        var outcomes = [Result<WriteReceipt, StoreError>?](repeating: nil, count: ops.count)
        var valid: [Int] = []
        for (index, op) in ops.enumerated() {
            do throws(StoreError) {
                try RecordKey.validate(op.key, path: primaryPath)
                valid.append(index)
            } catch {
                outcomes[index] = .failure(error)
            }
        }
        if !valid.isEmpty {
            let batch = valid.map { ops[$0] }
            let results = connections.withLock { connections in
                commitIsolated(batch[...], on: &connections, deferShadow: false)
            }
            for (index, result) in zip(valid, results) { outcomes[index] = result }
        }
        return outcomes.map {
            $0 ?? .failure(StoreError(code: .writeFailed, path: primaryPath, message: "operation was not run"))
        }
    }

    // MARK: - Reads

    /// The primary and shadow rows for `key`.
    ///
    /// In atomic mode both are read in one read transaction, so they are from the same moment. In outbox
    /// mode the two files cannot share a snapshot; the read is ordered with this writer's own writes (never
    /// between a write's primary and shadow steps: deferred shadow writes are written first), but another
    /// process's write may fall between the reads.
    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: primaryPath)
        return try connections.withLock { (connections) throws(StoreError) -> RecordPair in
            let primary = connections.primary
            if configuration.mode == .outbox {
                waitForRelay()
                let p = try read(primaryPath, key: key) { () throws(SQLiteError) in try primary.record(key: key) }
                let s = try readShadowConnection(key: key) { shadow throws(SQLiteError) in try shadow.record(key: key) }
                return RecordPair(key: key, primary: p, shadow: s)
            }
            return try read(primaryPath, key: key) { () throws(SQLiteError) in
                try primary.readTransaction { () throws(SQLiteError) in
                    RecordPair(
                        key: key, primary: try primary.record(key: key),
                        shadow: try primary.record(key: key, in: .shadow))
                }
            }
        }
    }

    /// Up to `limit` pairs with keys after `after` (from the start when nil), in key order (byte-wise
    /// UTF-8), merging both stores: a key present in either store appears once.
    ///
    /// Reads at most `limit` rows from each store, so memory stays flat however large the stores are.
    public func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryPath, message: "page limit \(limit) must be positive")
        }
        let (primaryRows, shadowRows) = try connections.withLock {
            (connections) throws(StoreError) -> ([StoredRecord], [StoredRecord]) in
            let primary = connections.primary
            let p = try read(primaryPath, key: nil) { () throws(SQLiteError) in
                try primary.scanRecords(after: after, limit: limit)
            }
            let s: [StoredRecord]
            if configuration.mode == .outbox {
                waitForRelay()
                s = try readShadowConnection(key: nil) { shadow throws(SQLiteError) in
                    try shadow.scanRecords(after: after, limit: limit)
                }
            } else {
                s = try read(shadowPath, key: nil) { () throws(SQLiteError) in
                    try primary.scanRecords(after: after, limit: limit, in: .shadow)
                }
            }
            return (p, s)
        }
        return Self.mergePairs(primaryRows, shadowRows, limit: limit)
    }

    /// A cursor over every pair in key order, `pageSize` keys at a time.
    public func pairCursor(after: String? = nil, pageSize: Int = 512) -> RecordPairCursor {
        RecordPairCursor(writer: self, after: after, pageSize: pageSize)
    }

    /// Row counts of both stores.
    public func counts() throws(StoreError) -> (primary: Int, shadow: Int) {
        try connections.withLock { (connections) throws(StoreError) -> (primary: Int, shadow: Int) in
            let primary = connections.primary
            let p = try read(primaryPath, key: nil) { () throws(SQLiteError) in try primary.countRecords() }
            let s: Int
            if configuration.mode == .outbox {
                waitForRelay()
                s = try readShadowConnection(key: nil) { shadow throws(SQLiteError) in try shadow.countRecords() }
            } else {
                s = try read(shadowPath, key: nil) { () throws(SQLiteError) in try primary.countRecords(in: .shadow) }
            }
            return (p, s)
        }
    }

    /// Outbox rows whose shadow side has not been written yet.
    public func pendingRepairs() throws(StoreError) -> Int {
        try connections.withLock { (connections) throws(StoreError) -> Int in
            waitForRelay()
            clearSettled(&connections)
            let primary = connections.primary
            return try read(primaryPath, key: nil) { () throws(SQLiteError) in try primary.pendingOutboxCount() }
        }
    }

    /// Replays pending outbox rows into the shadow now; returns how many were replayed.
    ///
    /// Throws the first replay failure after replaying every row it could.
    @discardableResult
    public func repair() throws(StoreError) -> Int {
        let outcome = connections.withLock { connections in
            waitForRelay()
            clearSettled(&connections)
            let primary = connections.primary
            return shadowConnection.withLock { shadow in
                Self.replayOutbox(primary: primary, shadow: shadow, primaryPath: primaryPath, shadowPath: shadowPath)
            }
        }
        if let failure = outcome.firstFailure { throw failure }
        return outcome.replayed
    }

    private func read<T>(_ path: String, key: String?, _ body: () throws(SQLiteError) -> T) throws(StoreError) -> T {
        try StoreError.mapping(key: key, fallback: .readFailed, path: path, body)
    }

    /// Runs `body` on the shadow file's own connection (outbox mode), mapping its errors to the shadow's path.
    func readShadowConnection<T: Sendable>(key: String?, _ body: (SQLiteConnection) throws(SQLiteError) -> T)
        throws(StoreError) -> T
    {
        try shadowConnection.withLock { (shadow) throws(StoreError) -> T in
            guard let shadow else {
                throw StoreError(code: .readFailed, path: shadowPath, key: key, message: "no shadow connection")
            }
            return try StoreError.mapping(key: key, fallback: .readFailed, path: shadowPath) { () throws(SQLiteError) in
                try body(shadow)
            }
        }
    }

    /// Merges two key-ordered pages into the first `limit` keys of their union.
    ///
    /// Correct for pages of `limit` rows each: any key among the first `limit` keys of the union is among
    /// the first `limit` keys of the store that holds it, so it is in one of the pages.
    static func mergePairs(_ primary: [StoredRecord], _ shadow: [StoredRecord], limit: Int) -> [RecordPair] {
        var result: [RecordPair] = []
        result.reserveCapacity(min(limit, primary.count + shadow.count))
        var i = 0
        var j = 0
        while result.count < limit && (i < primary.count || j < shadow.count) {
            if j == shadow.count || (i < primary.count && RecordKey.precedes(primary[i].key, shadow[j].key)) {
                result.append(RecordPair(key: primary[i].key, primary: primary[i], shadow: nil))
                i += 1
            } else if i == primary.count || RecordKey.precedes(shadow[j].key, primary[i].key) {
                result.append(RecordPair(key: shadow[j].key, primary: nil, shadow: shadow[j]))
                j += 1
            } else {
                result.append(RecordPair(key: primary[i].key, primary: primary[i], shadow: shadow[j]))
                i += 1
                j += 1
            }
        }
        return result
    }
}
