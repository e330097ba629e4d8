import Dispatch

extension GroupCommitter {
    /// More than one lane: up to ``GroupCommitter/lanes`` groups commit at once, each on a flush of its own, so that
    /// one group's round trip and flush overlap the next group's.
    ///
    /// Two rules keep this from costing more than it saves. Groups committing at once never share a key (a write of a
    /// key another lane is committing waits for a later group), so a key's writes commit in the order they were
    /// submitted. And a lane starts a group only once an even share of the writers waits (``target(lanes:)``): started
    /// at once, lanes would split the writers into ever smaller groups, and a group's statement costs nearly as much
    /// for one write as for eight. Writes left waiting below that share when no lane runs are started by a short
    /// timer, so none waits for company that is not coming.
    struct Lanes {
        /// Flushes running (each commits one group at a time).
        var flushes = 0
        /// Writes in the groups committing now.
        var inFlight = 0
        /// The keys of the groups committing now.
        var busy: Set<String> = []
        /// How many writers seem to be writing: at the start of each group, the writes committing plus those waiting
        /// (less one per group since, so that a drop in load shows).
        var writers = 0
        /// A timer will start a flush for the writes waiting while no lane runs.
        var fallbackArmed = false
        /// The most groups committing at once so far.
        var most = 0
        /// The lanes no flush holds (indices into ``GroupCommitter/laneQueues``).
        var idle: [Int] = []

        /// Records `ops` as a group committing now, with `pending` writes left waiting.
        mutating func take(_ ops: [DualWriteOp], pending: Int) {
            for op in ops { busy.insert(op.key) }
            inFlight += ops.count
            writers = max(inFlight + pending, writers - 1)
        }

        /// Counts a flush as started and gives it a lane.
        mutating func startFlush() -> Int {
            flushes += 1
            most = max(most, flushes)
            return idle.removeLast()
        }

        /// The size a group waits for before a lane starts it: the writers' even share of the lanes.
        func target(lanes: Int) -> Int { max(1, (writers + lanes - 1) / lanes) }
    }

    /// What a change to the group queue asks for.
    enum LaneStart {
        case none
        /// A flush on the given lane, counted as started.
        case flush(Int)
        /// The timer that starts a flush if no lane runs by then.
        case fallback
    }

    /// How long writes below a lane's share wait for company when no lane runs.
    var fallbackWait: Duration { maxBatchWait > .zero ? maxBatchWait : .microseconds(200) }

    /// ``submit(_:commit:)`` with more than one lane.
    func submitToLanes(_ op: DualWriteOp, commit: @escaping Commit) async -> Outcome {
        if leadsOnCallerThread, let lane = lead(op) {
            // A lone writer commits on its own thread (no hop to a lane's queue and back); writes that queued meanwhile
            // follow on the lane's queue.
            let outcome = commit([op][...])
            let (next, start) = group.withLock { nextLaneBatch(&$0, lane: lane, releasing: [op], force: false) }
            perform(start, commit)
            if !next.isEmpty { laneQueues[lane].async { [self] in flushLane(commit, lane: lane, first: next) } }
            return outcome.first ?? .failure(StoreError(code: .writeFailed, key: op.key, message: "no outcome"))
        }
        return await withCheckedContinuation { continuation in
            let start = group.withLock { queue -> LaneStart in
                queue.pending.append(Pending(op: op, continuation: continuation))
                let target = min(queue.lanes.target(lanes: lanes), maxBatch)
                if queue.lanes.flushes < lanes && queue.pending.count >= target {
                    return .flush(queue.lanes.startFlush())
                }
                return Self.fallbackIfIdle(&queue.lanes, pending: queue.pending.count)
            }
            perform(start, commit)
        }
    }

    /// Takes a lane for `op` to commit on its caller's thread, when no lane runs, none waits and the writers' share is
    /// one; every ``GroupCommitter/leadsPerProbe`` leads, one write queues instead (see there).
    private func lead(_ op: DualWriteOp) -> Int? {
        group.withLock { queue -> Int? in
            guard queue.lanes.flushes == 0, queue.pending.isEmpty, queue.lanes.target(lanes: lanes) == 1 else {
                return nil
            }
            if queue.leadsSinceProbe >= Self.leadsPerProbe {
                queue.leadsSinceProbe = 0
                return nil
            }
            queue.leadsSinceProbe += 1
            let lane = queue.lanes.startFlush()
            queue.lanes.take([op], pending: 0)
            return lane
        }
    }

    /// Arms the fallback timer when writes wait and no lane runs (called under the lock).
    private static func fallbackIfIdle(_ lanes: inout Lanes, pending: Int) -> LaneStart {
        guard lanes.flushes == 0, pending > 0, !lanes.fallbackArmed else { return .none }
        lanes.fallbackArmed = true
        return .fallback
    }

    private func perform(_ start: LaneStart, _ commit: @escaping Commit) {
        switch start {
        case .none:
            break
        case .flush(let lane):
            startLane(lane, commit, force: false)
        case .fallback:
            queue.asyncAfter(deadline: .now() + .nanoseconds(fallbackWait.clampedNanoseconds)) { [self] in
                let lane = group.withLock { queue -> Int? in
                    queue.lanes.fallbackArmed = false
                    // A running lane takes the waiting writes when its group is done.
                    guard queue.lanes.flushes == 0, !queue.pending.isEmpty else { return nil }
                    return queue.lanes.startFlush()
                }
                if let lane { startLane(lane, commit, force: true) }
            }
        }
    }

    /// Runs a flush on the lane's queue (the lane counted as started): its first group is what waits then (whatever
    /// its size when `force`).
    private func startLane(_ lane: Int, _ commit: @escaping Commit, force: Bool) {
        laneQueues[lane].async { [self] in
            let (first, start) = group.withLock { nextLaneBatch(&$0, lane: lane, releasing: [], force: force) }
            perform(start, commit)
            flushLane(commit, lane: lane, first: first)
        }
    }

    /// Runs on the lane's queue, holding the lane: commits `first`, then groups until none it should take is waiting.
    private func flushLane(_ commit: @escaping Commit, lane: Int, first: [Pending]) {
        var batch = first
        while !batch.isEmpty {
            let ops = batch.map(\.op)
            let outcomes = commit(ops[...])
            let (next, start) = group.withLock { nextLaneBatch(&$0, lane: lane, releasing: ops, force: false) }
            for (pending, outcome) in zip(batch, outcomes) {
                pending.continuation.resume(returning: outcome)
            }
            perform(start, commit)
            batch = next
        }
    }

    /// Under the lock: frees the keys of the group `released` has committed, and takes the next group: the waiting
    /// writes in order, skipping those whose key another lane is committing, once they reach the lane's share (or
    /// at once when `force`). When it takes none, the lane ends (arming the fallback if it was the last).
    private func nextLaneBatch(_ queue: inout GroupQueue, lane: Int, releasing released: [DualWriteOp], force: Bool)
        -> ([Pending], LaneStart)
    {
        for op in released { queue.lanes.busy.remove(op.key) }
        queue.lanes.inFlight -= released.count
        var batch: [Pending] = []
        if force || queue.pending.count >= min(queue.lanes.target(lanes: lanes), maxBatch) {
            var skipped: [Pending] = []
            for pending in queue.pending {
                if batch.count < maxBatch && !queue.lanes.busy.contains(pending.op.key) {
                    batch.append(pending)
                } else {
                    skipped.append(pending)
                }
            }
            queue.pending = skipped
        }
        if batch.isEmpty {
            queue.lanes.flushes -= 1
            queue.lanes.idle.append(lane)
            return ([], Self.fallbackIfIdle(&queue.lanes, pending: queue.pending.count))
        }
        queue.lanes.take(batch.map(\.op), pending: queue.pending.count)
        queue.largestGroup = max(queue.largestGroup, batch.count)
        return (batch, .none)
    }
}
