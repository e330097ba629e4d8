import Dispatch
import Synchronization

/// Groups concurrent writes into shared transactions (group commit, DESIGN section 5): each caller gets its own
/// outcome, and the writes that arrive while one group commits form the next.
///
/// With one lane (SQLite: one writer at a time), groups commit one after another on a serial queue. With more
/// (``lanes``: a backend whose groups commit side by side on connections of their own), see
/// `GroupCommitter+Lanes.swift`.
///
/// Owns one lock (the queue of waiting writes) and the dispatch queue on which groups commit; the commit itself is
/// the caller's (``DualWriter``), passed to ``submit(_:commit:)``.
final class GroupCommitter: Sendable {
    typealias Outcome = Result<WriteReceipt, StoreError>
    typealias Commit = @Sendable (ArraySlice<DualWriteOp>) -> [Outcome]

    /// Writes waiting for the next group commit.
    struct GroupQueue {
        var pending: [Pending] = []
        /// True while a flush is queued or running on `queue`; it drains `pending` before clearing this.
        var flushScheduled = false
        /// True after a write found company (a leader found writes queued behind it, or `queue` committed a group of
        /// more than one): writes then queue, so that they form groups, until a group of one shows the concurrency
        /// is gone.
        var contended = false
        /// Groups of one `queue` has committed in a row while contended.
        var lonelyGroups = 0
        /// Groups of one committed on their caller's thread since a write last went through `queue`.
        var leadsSinceProbe = 0
        /// The largest group committed so far.
        var largestGroup = 0
        /// More than one lane: see ``GroupCommitter/Lanes``.
        var lanes = Lanes()
    }

    struct Pending: Sendable {
        var op: DualWriteOp
        var continuation: CheckedContinuation<Outcome, Never>
    }

    /// After this many groups of one on their callers' threads, one write goes through `queue` instead: a caller
    /// that commits on its own thread never suspends, so writers sharing its threads could never join it; the probe
    /// lets them queue, and a group of more than one switches to group commit (see ``GroupQueue/contended``).
    static let leadsPerProbe = 64

    /// Consecutive groups of one after which writes commit on their callers' threads again.
    static let lonelyGroupsToLead = 4

    /// The most writes in one group.
    let maxBatch: Int
    /// How long the first write of a group waits for company.
    let maxBatchWait: Duration
    /// Whether a write that finds no commit running commits at once on its caller's thread (a group of one).
    let leadsOnCallerThread: Bool
    /// How many groups may commit at once.
    let lanes: Int
    /// Where groups commit with one lane; with more, where the timer that starts a flush for stragglers runs.
    let queue = DispatchQueue(label: "tandem.dualwriter.commit")
    /// More than one lane: a serial queue each, on which that lane's flush commits its groups. Not one concurrent
    /// queue: a flush blocks its thread for its commits, and a concurrent queue draws on the global pool, as wide as
    /// the machine has cores; with the lanes' threads blocked, measured on two cores, flushes started late, groups
    /// fell to one write and some blocks of writes took four times as long.
    let laneQueues: [DispatchQueue]
    /// The writes waiting and the state of the flushes (a leaf lock, held briefly).
    let group = Mutex(GroupQueue())

    init(maxBatch: Int, maxBatchWait: Duration, leadsOnCallerThread: Bool, lanes: Int = 1) {
        self.maxBatch = maxBatch
        self.maxBatchWait = maxBatchWait
        self.lanes = max(lanes, 1)
        self.leadsOnCallerThread = leadsOnCallerThread
        laneQueues = lanes > 1 ? (0..<lanes).map { DispatchQueue(label: "tandem.dualwriter.commit.\($0)") } : []
        group.withLock { $0.lanes.idle = Array((0..<lanes).reversed()) }
    }

    /// Commits `op` with whatever writes arrive meanwhile, through `commit`, and returns its own outcome.
    func submit(_ op: DualWriteOp, commit: @escaping Commit) async -> Outcome {
        if lanes > 1 { return await submitToLanes(op, commit: commit) }
        if leadsOnCallerThread {
            // No commit is queued or running: this write leads and commits at once on the caller's thread (a group
            // of one, no hop to `queue` and back). Writes that arrive meanwhile queue up and form the next group.
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
                let outcome = commit([op][...])
                let followers = group.withLock { queue -> Bool in
                    if queue.pending.isEmpty {
                        queue.flushScheduled = false
                        return false
                    }
                    queue.contended = true
                    return true
                }
                if followers { queue.async { [self] in flushPending(commit) } }
                return outcome.first
                    ?? .failure(StoreError(code: .writeFailed, key: op.key, message: "no outcome"))
            }
        }
        let maxBatch = maxBatch
        return await withCheckedContinuation { continuation in
            let (schedule, full) = group.withLock { queue -> (Bool, Bool) in
                queue.pending.append(Pending(op: op, continuation: continuation))
                let full = queue.pending.count == maxBatch
                if queue.flushScheduled { return (false, full) }
                queue.flushScheduled = true
                return (true, full)
            }
            if schedule && !full {
                if maxBatchWait <= .zero {
                    queue.async { [self] in flushPending(commit) }
                } else {
                    queue.asyncAfter(deadline: .now() + .nanoseconds(maxBatchWait.clampedNanoseconds)) { [self] in
                        flushPending(commit)
                    }
                }
            } else if full {
                // A full batch does not wait for the timer; an extra flush on an empty queue is a no-op.
                queue.async { [self] in flushPending(commit) }
            }
        }
    }

    /// The largest group of writes committed together so far.
    var largestGroup: Int { group.withLock { $0.largestGroup } }

    /// More than one lane: the most groups that were committing at once so far.
    var mostLanes: Int { group.withLock { $0.lanes.most } }

    /// Runs on `queue` (serial): commits pending writes in groups of at most `maxBatch` until none are left.
    private func flushPending(_ commit: Commit) {
        var batch = nextBatch()
        while !batch.isEmpty {
            let outcomes = commit(batch.map(\.op)[...])
            // The next group is taken before the callers resume: when none is waiting, the flush is over before a
            // resumed caller writes again, so that a lone writer goes back to committing on its own thread.
            let next = nextBatch()
            for (pending, outcome) in zip(batch, outcomes) {
                pending.continuation.resume(returning: outcome)
            }
            batch = next
        }
    }

    /// Takes the next group from the queue; when the queue is empty, ends the flush.
    private func nextBatch() -> [Pending] {
        let maxBatch = maxBatch
        return group.withLock { queue -> [Pending] in
            if queue.pending.isEmpty {
                queue.flushScheduled = false
                return []
            }
            let count = min(maxBatch, queue.pending.count)
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            // One group of one does not end contention: writers resuming from the previous group may not have queued
            // yet. A few in a row do.
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
