import Dispatch
import Synchronization

/// Outbox mode: writes the shadow side of committed primary writes to the shadow store, off the writers' threads, in
/// primary commit order (the transactional-outbox relay), and removes the outbox rows of those that are done.
///
/// Owns one lock (its queue and bookkeeping, a leaf: taken last, held briefly) and three serial queues: the relay's,
/// the failure reports', and the removal of settled outbox rows.
final class OutboxRelay: Sendable {
    /// Shadow writes on their way to the shadow store, and outbox rows whose shadow write is done.
    struct State {
        /// Shadow writes queued for `relayQueue`, in primary commit order (the order they must reach the shadow).
        var queue: [ShadowWrite] = []
        /// The newest queued shadow write of each key: what a read of the shadow answers until it is written.
        var newest: [String: ShadowWrite] = [:]
        /// True while a drain is queued or running on `relayQueue`.
        var draining = false
        /// True while a timer on `relayQueue` will start a drain (see `enqueue`).
        var timerArmed = false
        /// Outbox rows whose shadow write has committed but which are still in the outbox; the next primary
        /// transaction removes them (see ``DualWriter``'s commit).
        var settled: [OutboxRow] = []
        /// True while a delayed standalone removal of `settled` is queued.
        var settleScheduled = false
        /// Deferred shadow writes that failed after their primary commit.
        var failures = 0
        /// Entries ever queued, and entries the relay has attempted (written, or failed and left in the outbox): a
        /// waiter waits until `attempted` reaches what `enqueued` was when it began.
        var enqueued = 0
        var attempted = 0

        /// Records the outcome of writing `batch` to the shadow (`failed`: the entries that failed, by position):
        /// written rows become settled, and a relayed batch (`relayed`) leaves `newest` and counts as attempted, its
        /// failures as failed deferred writes. Returns whether the caller must schedule a standalone removal of the
        /// settled rows (never while `closing`: the writer's `deinit` removes them itself).
        mutating func finish(_ batch: [ShadowWrite], failed: [Int: StoreError], relayed: Bool, closing: Bool)
            -> Bool
        {
            for (index, entry) in batch.enumerated() {
                if relayed && newest[entry.op.key]?.receipt.seq == entry.receipt.seq { newest[entry.op.key] = nil }
                if failed[index] == nil {
                    settled.append(OutboxRow(key: entry.receipt.key, seq: entry.receipt.seq))
                } else if relayed {
                    failures += 1
                }
            }
            if relayed { attempted += batch.count }
            guard !closing, !settled.isEmpty, !settleScheduled else { return false }
            settleScheduled = true
            return true
        }
    }

    /// Queued shadow writes beyond which a write waits for the relay to catch up (memory stays bounded when the
    /// shadow store is slower than the primary, for example locked by another process).
    static let backlog = 4_096

    /// How long settled outbox rows may wait for the next group before a transaction of their own removes them (so
    /// an idle writer leaves an empty outbox). At most one such transaction per interval.
    static let settleDelay: DispatchTimeInterval = .milliseconds(50)

    private let backend: any RecordBackend
    private let writers: WriterLock
    private let maxBatch: Int
    private let batchWait: Duration
    private let onFailure: (@Sendable (StoreError) -> Void)?
    private let state = Mutex(State())
    /// Writes queued shadow rows, one batch per block.
    private let relayQueue = DispatchQueue(label: "tandem.dualwriter.relay")
    /// Delivers failures to `onFailure`, in order, off `relayQueue`.
    private let reportQueue = DispatchQueue(label: "tandem.dualwriter.report")
    /// Removes settled outbox rows when the writer is idle.
    private let settleQueue = DispatchQueue(label: "tandem.dualwriter.settle")

    init(
        backend: any RecordBackend, writers: WriterLock, maxBatch: Int, batchWait: Duration,
        onFailure: (@Sendable (StoreError) -> Void)?
    ) {
        self.backend = backend
        self.writers = writers
        self.maxBatch = maxBatch
        self.batchWait = batchWait
        self.onFailure = onFailure
    }

    /// Deferred shadow writes that failed after their primary commit.
    var failures: Int { state.withLock { $0.failures } }

    // MARK: - Queueing

    /// Queues the shadow side of committed primary writes. Called under the writers' lock, right after the primary
    /// commit, so that the entries of a key queue in its commit order (groups committing at once never share a key).
    ///
    /// The relay starts at once when a full batch is queued; otherwise the first entry of a batch arms a timer of the
    /// batch wait, so that one shadow transaction (and one wake-up of the relay's thread) serves every write of that
    /// interval instead of each write paying for its own.
    func enqueue(_ writes: [ShadowWrite]) {
        let maxBatch = maxBatch
        let wait = batchWait
        let (start, arm, backlog) = state.withLock { relay -> (Bool, Bool, Int) in
            relay.queue.append(contentsOf: writes)
            relay.enqueued += writes.count
            for write in writes { relay.newest[write.op.key] = write }
            if relay.draining { return (false, false, relay.queue.count) }
            if relay.queue.count >= maxBatch || wait <= .zero {
                relay.draining = true
                return (true, false, relay.queue.count)
            }
            if relay.timerArmed { return (false, false, relay.queue.count) }
            relay.timerArmed = true
            return (false, true, relay.queue.count)
        }
        // Relay blocks hold the relay weakly: a writer dropped with rows still queued writes them in its deinit.
        if start { relayQueue.async { [weak self] in self?.drain() } }
        if arm {
            relayQueue.asyncAfter(deadline: .now() + .nanoseconds(wait.clampedNanoseconds)) { [weak self] in
                guard let self else { return }
                let start = state.withLock { relay -> Bool in
                    relay.timerArmed = false
                    guard !relay.draining, !relay.queue.isEmpty else { return false }
                    relay.draining = true
                    return true
                }
                if start { drain() }
            }
        }
        if backlog > Self.backlog { self.wait() }
    }

    /// Returns once every shadow write queued so far has been attempted (written, or failed and left pending in the
    /// outbox), starting the relay at once if its timer is still running. The relay writes one batch per block, so
    /// this waits for the entries queued before it, never for writes that keep arriving after. Never call it on the
    /// relay's queue.
    func wait() {
        let target = state.withLock { $0.enqueued }
        while true {
            let (done, start) = state.withLock { relay -> (Bool, Bool) in
                if relay.attempted >= target { return (true, false) }
                if relay.draining { return (false, false) }
                relay.draining = true
                return (false, true)
            }
            if done { return }
            if start { relayQueue.async { [weak self] in self?.drain() } }
            relayQueue.sync {}
        }
    }

    /// The newest queued shadow write of `key`: `.some(nil)` for a queued delete, `nil` when none is queued.
    func queued(_ key: String) -> StoredRecord?? {
        state.withLock { relay -> StoredRecord?? in
            guard !relay.newest.isEmpty, let write = relay.newest[key] else { return nil }
            return .some(write.record)
        }
    }

    // MARK: - Writing

    /// Runs on the relay's queue (serial): writes up to a batch of queued shadow rows in one transaction, then queues
    /// itself again while rows are left (so that a waiter's block gets its turn between batches). When the writer
    /// closes (`closing`, when no relay block can hold the relay any more) it writes every queued row and leaves the
    /// removal of their outbox rows to the caller.
    func drain(closing: Bool = false) {
        let maxBatch = maxBatch
        var batch: [ShadowWrite] = []
        while true {
            batch.removeAll(keepingCapacity: true)
            state.withLock { relay in
                if relay.queue.count <= maxBatch {
                    swap(&batch, &relay.queue)
                } else {
                    batch.append(contentsOf: relay.queue.prefix(maxBatch))
                    relay.queue.removeFirst(maxBatch)
                }
                if batch.isEmpty { relay.draining = false }
            }
            if batch.isEmpty { return }
            let failed = backend.applyShadow(batch)
            let (scheduleSettle, more) = state.withLock { relay -> (Bool, Bool) in
                let schedule = relay.finish(batch, failed: failed, relayed: true, closing: closing)
                let more = !relay.queue.isEmpty
                if !more { relay.draining = false }
                return (schedule, more)
            }
            let failures = failed.sorted { $0.key < $1.key }.map {
                Self.shadowPending($0.value, receipt: batch[$0.key].receipt)
            }
            if scheduleSettle { self.scheduleSettle() }
            if !failures.isEmpty, let report = onFailure {
                // Off the relay's queue: a handler may call back into the writer (repair(), readPair()), which waits
                // for the relay.
                reportQueue.async { for failure in failures { report(failure) } }
            }
            if !more { return }
            if !closing {
                relayQueue.async { [weak self] in self?.drain() }
                return
            }
        }
    }

    /// Records shadow writes the writer made itself (``ShadowWriteTiming/inline``): written rows become settled.
    func finishInline(_ writes: [ShadowWrite], failed: [Int: StoreError]) {
        let schedule = state.withLock { $0.finish(writes, failed: failed, relayed: false, closing: false) }
        if schedule { scheduleSettle() }
    }

    // MARK: - Settled outbox rows

    /// Takes the settled rows now, for the primary transaction about to commit to remove; if it does not commit,
    /// ``returnSettled(_:)`` gives them back.
    func takeSettled() -> [OutboxRow] {
        state.withLock { relay -> [OutboxRow] in
            defer { relay.settled.removeAll() }
            return relay.settled
        }
    }

    /// Gives back settled rows a primary transaction took but did not remove (it failed as a whole).
    func returnSettled(_ rows: [OutboxRow]) {
        guard !rows.isEmpty else { return }
        state.withLock { $0.settled.insert(contentsOf: rows, at: 0) }
    }

    /// Removes the outbox rows of shadow writes that committed, in a transaction of their own. Call with the writers'
    /// lock held. If that fails, the rows stay pending: a replay rewrites what the shadow already holds, which
    /// changes nothing.
    func clearSettled() {
        backend.clearOutbox(takeSettled())
    }

    private func scheduleSettle() {
        settleQueue.asyncAfter(deadline: .now() + Self.settleDelay) { [weak self] in
            guard let self else { return }
            writers.withLock {
                state.withLock { $0.settleScheduled = false }
                clearSettled()
            }
        }
    }

    /// The error of a shadow write that failed after its primary commit: its outbox row stays pending.
    static func shadowPending(_ error: StoreError, receipt: WriteReceipt) -> StoreError {
        var failure = error
        failure.key = receipt.key
        failure.code = .shadowPending
        failure.message =
            "the primary row is committed (seq \(receipt.seq)) but the shadow write failed: "
            + "\(error.message); its outbox row will be replayed on the next open or repair()"
        return failure
    }
}
