import Dispatch

/// Writes every record to a primary (v2) and a shadow (v1) store, keeping them in step (DESIGN section 5), and reads
/// them back side by side.
///
/// A thin coordinator over a ``RecordBackend`` (SQLite files by default): concurrent ``write(key:primary:shadow:)``
/// calls are grouped into shared transactions (group commit); in outbox mode the shadow side follows through a relay
/// (``ShadowWriteTiming``). Each caller still gets its own receipt or error. Safe to share between tasks.
public final class DualWriter: Sendable {
    /// The stores.
    public let backend: any RecordBackend
    /// The configuration the writer was opened with.
    public let configuration: Configuration
    /// Pending outbox rows replayed into the shadow while opening (reported as `totals.repaired`).
    public let repaired: Int

    /// Commits, and the queueing of their shadow side: one at a time, or as many group commits at once as the backend
    /// takes (``RecordBackend/concurrentCommits``). Lock order: this, then the backend's own locks, then the leaf locks
    /// of the relay and the group committer.
    let writers: WriterLock
    let committer: GroupCommitter
    /// Outbox mode: the relay that writes the shadow side. `nil` in atomic mode.
    let relay: OutboxRelay?

    /// The primary store, as the backend names it (a file path for SQLite).
    public var primaryPath: String { backend.primaryName }
    /// The shadow store, as the backend names it.
    public var shadowPath: String { backend.shadowName }

    /// Opens (creating if needed) both SQLite files and replays pending outbox rows into the shadow.
    ///
    /// Opening rewrites no row other than replaying the outbox; SQLite rolls back hot journals itself. Throws
    /// ``StoreError`` (`openFailed`, `readOnly`, `notADatabase`, `corrupt`, `schemaMismatch`, `locked`, ...) naming
    /// the file; a failed open leaves both files as they were.
    public convenience init(primaryPath: String, shadowPath: String, configuration: Configuration = Configuration())
        throws(StoreError)
    {
        guard configuration.maxBatch > 0 else {
            throw StoreError(code: .invalidArgument, message: "maxBatch must be at least 1")
        }
        let backend = try SQLiteRecordBackend(
            primaryPath: primaryPath, shadowPath: shadowPath, mode: configuration.mode,
            durable: configuration.durable, busyTimeout: configuration.busyTimeout,
            exclusive: configuration.exclusive)
        try self.init(backend: backend, configuration: configuration)
    }

    /// Writes through `backend` and replays its pending outbox rows into the shadow.
    ///
    /// `configuration.mode` must be the backend's mode; `durable` and `busyTimeout` are the backend's business.
    /// Rows that cannot be replayed now stay pending (see ``pendingRepairs()``): the open still succeeds, so that
    /// `verify` can report the divergence.
    public init(backend: any RecordBackend, configuration: Configuration = Configuration()) throws(StoreError) {
        guard configuration.maxBatch > 0 else {
            throw StoreError(code: .invalidArgument, message: "maxBatch must be at least 1")
        }
        guard configuration.mode == backend.mode else {
            throw StoreError(
                code: .invalidArgument, path: backend.primaryName,
                message: "the writer is configured for \(configuration.mode.rawValue) mode but the stores were "
                    + "opened for \(backend.mode.rawValue)")
        }
        self.backend = backend
        self.configuration = configuration
        let lanes = max(backend.concurrentCommits, 1)
        writers = WriterLock(lanes: lanes)
        // Outbox mode only: an atomic commit (fsync of a super-journal) is long enough that blocking the caller's
        // thread for it was measured to stop groups from forming under 8 writers.
        committer = GroupCommitter(
            maxBatch: configuration.maxBatch, maxBatchWait: configuration.maxBatchWait,
            leadsOnCallerThread: configuration.mode == .outbox && configuration.maxBatchWait <= .zero, lanes: lanes)
        relay =
            configuration.mode == .outbox
            ? OutboxRelay(
                backend: backend, writers: writers, maxBatch: configuration.maxBatch,
                batchWait: configuration.shadowWriteBatchWait, onFailure: configuration.onShadowWriteFailure)
            : nil
        repaired = writers.withLock { backend.replayOutbox().replayed }
    }

    deinit {
        // Relay blocks hold the relay weakly, so none runs now: write what is still queued here. A clean close leaves
        // no queued shadow row and no settled row in the outbox (a crash may leave both; the next open replays them,
        // which for settled rows changes nothing).
        if let relay {
            relay.drain(closing: true)
            writers.withLock { relay.clearSettled() }
        }
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
        let outcomes = try writers.withLock { () throws(StoreError) in
            try commit(ops[...], isolateRows: false, deferShadow: false).get()
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
            let results = writers.withLock { commitIsolated(batch[...], deferShadow: false) }
            for (index, result) in zip(valid, results) { outcomes[index] = result }
        }
        return outcomes.map {
            $0 ?? .failure(StoreError(code: .writeFailed, path: primaryPath, message: "operation was not run"))
        }
    }

    // MARK: - Single writes (group commit)

    /// Writes `primary` to the primary store and `shadow` to the shadow store under `key`.
    ///
    /// Concurrent calls share transactions (group commit); this call returns once its own write has
    /// committed, with the seq stamped into both rows: in outbox mode with ``ShadowWriteTiming/deferred``
    /// (the default), once the primary row and its outbox row have committed, the shadow row following at once
    /// (see ``Configuration/shadowWrites``). Throws ``StoreError``: `invalidKey` (nothing written),
    /// `writeFailed` (nothing written), or with ``ShadowWriteTiming/inline`` `shadowPending` (the primary row
    /// is committed and the shadow will be repaired). The write completes even if the calling task is
    /// cancelled, so that an acknowledged-or-not answer is always accurate.
    @discardableResult
    public func write(key: String, primary: [UInt8], shadow: [UInt8]) async throws(StoreError) -> WriteReceipt {
        try await submit(.put(key: key, primary: primary, shadow: shadow))
    }

    /// Deletes `key` from both stores, through the same group commit as ``write(key:primary:shadow:)``.
    @discardableResult
    public func delete(key: String) async throws(StoreError) -> WriteReceipt {
        try await submit(.delete(key: key))
    }

    /// Submits one operation to the group commit.
    @discardableResult
    public func submit(_ op: DualWriteOp) async throws(StoreError) -> WriteReceipt {
        try RecordKey.validate(op.key, path: primaryPath)
        let outcome = await committer.submit(op) { [self] ops in
            writers.withCommitLock { commitIsolated(ops, deferShadow: deferShadow) }
        }
        return try outcome.get()
    }

    /// Whether ``write(key:primary:shadow:)`` leaves its shadow row to the relay (``ShadowWriteTiming/deferred``).
    private var deferShadow: Bool { configuration.mode == .outbox && configuration.shadowWrites == .deferred }

    /// The largest group of writes committed together so far.
    var largestGroup: Int { committer.largestGroup }

    /// See ``GroupCommitter/leadsPerProbe``.
    static var leadsPerProbe: Int { GroupCommitter.leadsPerProbe }

    // MARK: - Outbox

    /// Outbox rows whose shadow side has not been written yet.
    public func pendingRepairs() throws(StoreError) -> Int {
        try writers.withLock { () throws(StoreError) -> Int in
            relay?.wait()
            relay?.clearSettled()
            return try backend.pendingOutboxCount()
        }
    }

    /// Replays pending outbox rows into the shadow now; returns how many were replayed.
    ///
    /// Throws the first replay failure after replaying every row it could.
    @discardableResult
    public func repair() throws(StoreError) -> Int {
        let outcome = writers.withLock {
            relay?.wait()
            relay?.clearSettled()
            return backend.replayOutbox()
        }
        if let failure = outcome.firstFailure { throw failure }
        return outcome.replayed
    }

    /// Returns once the shadow side of every write that has returned (or is committing now) has been written, or has
    /// failed and been left pending in the outbox. Blocks the calling thread until the relay has written what was
    /// queued when the call began, never for writes that arrive after.
    public func waitForShadowWrites() {
        // Through the writers' lock first: a write past its primary commit has then queued its shadow side (or, inline,
        // written it).
        writers.withLock {}
        relay?.wait()
    }

    /// Deferred shadow writes that failed after their primary commit since the writer opened (each also reported to
    /// ``Configuration/onShadowWriteFailure``; their outbox rows wait for ``repair()``).
    public var failedShadowWrites: Int { relay?.failures ?? 0 }
}
