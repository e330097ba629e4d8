import Dispatch

extension DualWriter {
    /// Outbox mode: shadow writes of committed primary rows on their way to the shadow store, and outbox rows whose
    /// shadow write is done. Guarded by `relay`, a leaf lock (taken last, held briefly).
    struct ShadowRelay {
        struct Entry: Sendable {
            var op: DualWriteOp
            var receipt: WriteReceipt
        }

        /// Shadow writes queued for `relayQueue`, in primary commit order (the order they must reach the shadow).
        var queue: [Entry] = []
        /// The newest queued shadow write of each key: what a read of the shadow answers until it is written.
        var newest: [String: Entry] = [:]
        /// True while a drain is queued or running on `relayQueue`.
        var draining = false
        /// True while a timer on `relayQueue` will start a drain (see `enqueueShadow`).
        var timerArmed = false
        /// Outbox rows (key, seq) whose shadow write has committed but which are still in the outbox; the next
        /// primary transaction removes them (see `commit`).
        var settled: [(key: String, seq: Int64)] = []
        /// True while a delayed standalone removal of `settled` is queued on `committer`.
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
        /// settled rows (never while `closing`: `deinit` removes them itself).
        mutating func finish(_ batch: [Entry], failed: [Int: SQLiteError], relayed: Bool, closing: Bool = false)
            -> Bool
        {
            for (index, entry) in batch.enumerated() {
                if relayed && newest[entry.op.key]?.receipt.seq == entry.receipt.seq { newest[entry.op.key] = nil }
                if failed[index] == nil {
                    settled.append((key: entry.receipt.key, seq: entry.receipt.seq))
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
    static let relayBacklog = 4_096

    /// Queues the shadow side of committed primary writes for the relay. Called with `connections` held, right
    /// after the primary commit, so that entries queue in commit order.
    ///
    /// The relay starts at once when a full batch (`maxBatch`) is queued; otherwise the first entry of a batch arms a
    /// timer of ``Configuration/shadowWriteBatchWait``, so that one shadow transaction (and one wake-up of the relay's
    /// thread) serves every write of that interval instead of each write paying for its own.
    func enqueueShadow(_ entries: [ShadowRelay.Entry]) {
        let maxBatch = configuration.maxBatch
        let wait = configuration.shadowWriteBatchWait
        let (start, arm, backlog) = relay.withLock { relay -> (Bool, Bool, Int) in
            relay.queue.append(contentsOf: entries)
            relay.enqueued += entries.count
            for entry in entries { relay.newest[entry.op.key] = entry }
            if relay.draining { return (false, false, relay.queue.count) }
            if relay.queue.count >= maxBatch || wait <= .zero {
                relay.draining = true
                return (true, false, relay.queue.count)
            }
            if relay.timerArmed { return (false, false, relay.queue.count) }
            relay.timerArmed = true
            return (false, true, relay.queue.count)
        }
        // Relay blocks hold the writer weakly: a writer dropped with rows still queued writes them in its deinit.
        if start { relayQueue.async { [weak self] in self?.drainRelay() } }
        if arm {
            relayQueue.asyncAfter(deadline: .now() + .nanoseconds(wait.clampedNanoseconds)) { [weak self] in
                guard let self else { return }
                let start = relay.withLock { relay -> Bool in
                    relay.timerArmed = false
                    guard !relay.draining, !relay.queue.isEmpty else { return false }
                    relay.draining = true
                    return true
                }
                if start { drainRelay() }
            }
        }
        if backlog > Self.relayBacklog { waitForRelay() }
    }

    /// Returns once every shadow write queued so far has been attempted (written, or failed and left pending in the
    /// outbox), starting the relay at once if its timer is still running. The relay writes one batch per block on
    /// `relayQueue`, so this waits for the entries queued before it, never for writes that keep arriving after.
    /// Never call it on `relayQueue`.
    func waitForRelay() {
        guard configuration.mode == .outbox else { return }
        let target = relay.withLock { $0.enqueued }
        while true {
            let (done, start) = relay.withLock { relay -> (Bool, Bool) in
                if relay.attempted >= target { return (true, false) }
                if relay.draining { return (false, false) }
                relay.draining = true
                return (false, true)
            }
            if done { return }
            if start { relayQueue.async { [weak self] in self?.drainRelay() } }
            relayQueue.sync {}
        }
    }

    /// The newest queued shadow write of `key`: `.some(nil)` for a queued delete, `nil` when none is queued.
    func queuedShadow(_ key: String) -> StoredRecord?? {
        relay.withLock { relay -> StoredRecord?? in
            guard !relay.newest.isEmpty, let entry = relay.newest[key] else { return nil }
            switch entry.op {
            case .put(let key, _, let shadow):
                return .some(
                    StoredRecord(key: key, payload: shadow, seq: entry.receipt.seq, writtenAt: entry.receipt.writtenAt))
            case .delete:
                return .some(nil)
            }
        }
    }

    /// Runs on `relayQueue` (serial): writes up to `maxBatch` queued shadow rows in one transaction, then queues
    /// itself again while rows are left (so that a waiter's block gets its turn between batches). In `deinit`
    /// (`closing`, when no relay block can hold the writer any more) it writes every queued row and leaves the removal
    /// of their outbox rows to the caller.
    func drainRelay(closing: Bool = false) {
        let maxBatch = configuration.maxBatch
        var batch: [ShadowRelay.Entry] = []
        while true {
            batch.removeAll(keepingCapacity: true)
            relay.withLock { relay in
                if relay.queue.count <= maxBatch {
                    swap(&batch, &relay.queue)
                } else {
                    batch.append(contentsOf: relay.queue.prefix(maxBatch))
                    relay.queue.removeFirst(maxBatch)
                }
                if batch.isEmpty { relay.draining = false }
            }
            if batch.isEmpty { return }
            let failed = shadowConnection.withLock { shadow -> [Int: SQLiteError] in
                guard let shadow else { return [:] }
                return Self.writeShadow(batch, on: shadow)
            }
            let (scheduleSettle, more) = relay.withLock { relay -> (Bool, Bool) in
                let schedule = relay.finish(batch, failed: failed, relayed: true, closing: closing)
                let more = !relay.queue.isEmpty
                if !more { relay.draining = false }
                return (schedule, more)
            }
            let failures = failed.sorted { $0.key < $1.key }.map {
                shadowPending($0.value, receipt: batch[$0.key].receipt)
            }
            if scheduleSettle { self.scheduleSettle() }
            if !failures.isEmpty, let report = configuration.onShadowWriteFailure {
                // Off the relay's queue: a handler may call back into the writer (repair(), readPair()), which
                // waits for the relay.
                reportQueue.async { for failure in failures { report(failure) } }
            }
            if !more { return }
            if !closing {
                relayQueue.async { [weak self] in self?.drainRelay() }
                return
            }
        }
    }
}

extension DualWriter {
    /// Returns once the shadow side of every write that has returned (or is committing now) has been written, or has
    /// failed and been left pending in the outbox. Blocks the calling thread until the relay has written what was
    /// queued when the call began, never for writes that arrive after.
    public func waitForShadowWrites() {
        // Through the writers' lock first: a write past its primary commit has then queued its shadow side (or, inline,
        // written it).
        connections.withLock { _ in }
        waitForRelay()
    }

    /// Deferred shadow writes that failed after their primary commit since the writer opened (each also reported to
    /// ``Configuration/onShadowWriteFailure``; their outbox rows wait for ``repair()``).
    public var failedShadowWrites: Int { relay.withLock { $0.failures } }
}
