import Dispatch

extension DualWriter {
    /// Writes waiting for the next group commit.
    struct GroupQueue {
        var pending: [Pending] = []
        /// True while a flush is queued or running on `committer`; it drains `pending` before clearing this.
        var flushScheduled = false
        /// True after a write found company (a leader found writes queued behind it, or `committer` committed
        /// a group of more than one): writes then queue for `committer`, so that they form groups, until a
        /// group of one shows the concurrency is gone.
        var contended = false
        /// Groups of one `committer` has committed in a row while contended.
        var lonelyGroups = 0
        /// Groups of one committed on their caller's thread since a write last went through `committer`.
        var leadsSinceProbe = 0
        /// The largest group `committer` has committed.
        var largestGroup = 0
    }

    /// After this many groups of one on their callers' threads, one write goes through `committer` instead: a
    /// caller that commits on its own thread never suspends, so writers sharing its threads could never join
    /// it; the probe lets them queue, and a group of more than one switches to group commit (see
    /// ``GroupQueue/contended``).
    static let leadsPerProbe = 64

    /// Consecutive groups of one after which writes commit on their callers' threads again.
    static let lonelyGroupsToLead = 4

    struct Pending: Sendable {
        var op: DualWriteOp
        var continuation: CheckedContinuation<Result<WriteReceipt, StoreError>, Never>
    }

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
        // Outbox mode only: an atomic commit (fsync of a super-journal) is long enough that blocking the
        // caller's thread for it was measured to stop groups from forming under 8 writers.
        if configuration.mode == .outbox && configuration.maxBatchWait <= .zero {
            // No commit is queued or running: this write leads and commits at once on the caller's thread
            // (a group of one, no hop to `committer` and back). Writes that arrive meanwhile queue up and
            // form the next group, which `committer` commits.
            let leads = group.withLock { queue -> Bool in
                if queue.flushScheduled || queue.contended { return false }
                if queue.leadsSinceProbe >= Self.leadsPerProbe {
                    queue.leadsSinceProbe = 0
                    return false
                }
                queue.leadsSinceProbe += 1
                queue.flushScheduled = true
                return true
            }
            if leads {
                let outcome = connections.withLock { connections in
                    commitIsolated([op][...], on: &connections, deferShadow: deferShadow)
                }
                let followers = group.withLock { queue -> Bool in
                    if queue.pending.isEmpty {
                        queue.flushScheduled = false
                        return false
                    }
                    queue.contended = true
                    return true
                }
                if followers { committer.async { [self] in flushPending() } }
                guard let outcome = outcome.first else {
                    throw StoreError(code: .writeFailed, path: primaryPath, key: op.key, message: "no outcome")
                }
                return try outcome.get()
            }
        }
        let maxBatch = configuration.maxBatch
        let result = await withCheckedContinuation { continuation in
            let (schedule, full) = group.withLock { queue -> (Bool, Bool) in
                queue.pending.append(Pending(op: op, continuation: continuation))
                let full = queue.pending.count == maxBatch
                if queue.flushScheduled { return (false, full) }
                queue.flushScheduled = true
                return (true, full)
            }
            if schedule && !full {
                scheduleFlush()
            } else if full {
                // A full batch does not wait for the timer; an extra flush on an empty queue is a no-op.
                committer.async { [self] in flushPending() }
            }
        }
        return try result.get()
    }

    private func scheduleFlush() {
        let wait = configuration.maxBatchWait
        if wait <= .zero {
            committer.async { [self] in flushPending() }
        } else {
            committer.asyncAfter(deadline: .now() + .nanoseconds(wait.clampedNanoseconds)) { [self] in flushPending() }
        }
    }

    /// Whether ``write(key:primary:shadow:)`` leaves its shadow row to the relay (``ShadowWriteTiming/deferred``).
    private var deferShadow: Bool { configuration.mode == .outbox && configuration.shadowWrites == .deferred }

    /// Runs on `committer` (serial): commits pending writes in groups of at most `maxBatch` until none
    /// are left. Writes that arrive while a group commits form the next group.
    private func flushPending() {
        var batch = nextBatch()
        while !batch.isEmpty {
            let outcomes = connections.withLock { connections in
                commitIsolated(batch.map(\.op)[...], on: &connections, deferShadow: deferShadow)
            }
            // The next group is taken before the callers resume: when none is waiting, the flush is over before
            // a resumed caller writes again, so that a lone writer goes back to committing on its own thread.
            let next = nextBatch()
            for (pending, outcome) in zip(batch, outcomes) {
                pending.continuation.resume(returning: outcome)
            }
            batch = next
        }
    }

    /// The largest group of writes committed together so far.
    var largestGroup: Int { group.withLock { $0.largestGroup } }

    /// Takes the next group from the queue; when the queue is empty, ends the flush.
    private func nextBatch() -> [Pending] {
        let maxBatch = configuration.maxBatch
        return group.withLock { queue -> [Pending] in
            if queue.pending.isEmpty {
                queue.flushScheduled = false
                return []
            }
            let count = min(maxBatch, queue.pending.count)
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            // One group of one does not end contention: writers resuming from the previous group may not have
            // queued yet. A few in a row do.
            if count > 1 {
                queue.contended = true
                queue.lonelyGroups = 0
            } else if queue.contended {
                queue.lonelyGroups += 1
                if queue.lonelyGroups >= Self.lonelyGroupsToLead { queue.contended = false }
            }
            queue.largestGroup = max(queue.largestGroup, count)
            return batch
        }
    }
}
