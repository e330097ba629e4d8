import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The read path of a service during a migration: answers every read from the store its stage makes
/// authoritative, and queues a comparison of the key when the stage compares and the key is sampled.
///
/// The caller is never blocked by verification: comparisons go to a bounded queue that a background task drains
/// (``run()``); when the queue is full the comparison is shed and counted. ``MigrationEngine/compare(key:cohort:)``
/// compares synchronously.
public final class ShadowReader: Sendable {
    /// Settings of the read path.
    public struct Configuration: Sendable {
        /// Comparisons waiting at most; beyond it new comparisons are shed (counted, never blocking).
        public var queueCapacity: Int
        /// How long the background comparator waits when it finds fewer than 256 keys queued (none included), so that
        /// keys are taken in batches: each batch reads its rows in one transaction per store and pays one wake-up, so
        /// a comparison costs less CPU in a large batch than in a small one.
        public var idlePoll: Duration
        /// The CPU the background comparisons may use (see ``ComparisonBudget``); `nil` takes the plan's
        /// `comparison_budget`, or ``ComparisonBudget/default`` when the plan sets none.
        public var comparisonBudget: ComparisonBudget?
        /// The comparator thread's scheduling priority (see ``ComparatorPriority`` for why `normal` is the default).
        public var priority: ComparatorPriority
        /// Creates a configuration.
        public init(
            queueCapacity: Int = 4096, idlePoll: Duration = .milliseconds(5), comparisonBudget: ComparisonBudget? = nil,
            priority: ComparatorPriority = .normal
        ) {
            self.queueCapacity = queueCapacity
            self.idlePoll = idlePoll
            self.comparisonBudget = comparisonBudget
            self.priority = priority
        }
    }

    /// The engine comparisons run through.
    public let engine: MigrationEngine
    /// The settings.
    public let configuration: Configuration
    /// The CPU budget in force: the configuration's, else the plan's, else ``ComparisonBudget/default``.
    public let comparisonBudget: ComparisonBudget
    /// The stage and the router, read together by every read.
    private let routing: Mutex<(stage: MigrationStage, router: Router?)>

    /// Keys waiting for comparison. The read path only appends under a short lock and never wakes a thread: the
    /// comparator takes the whole queue at once and polls (``Configuration/idlePoll``) when it found few keys, so a
    /// read costs the same whether comparisons are on.
    private struct Queue {
        var items: [Pending] = []
        var finished = false
        var count: Int { items.count }
    }

    /// A queued comparison: the key and, when the read path has just read one of its rows, that row and its store
    /// (so that the comparator reads only the other store, and never shares the locks of the file the service reads).
    private typealias Pending = Comparator.Pending
    private let queue = Mutex(Queue())
    /// The kernel's id of the comparator thread while ``run()`` runs (0 before; Linux only), for tests and diagnostics.
    package let comparatorThreadID = Atomic<Int32>(0)

    /// Creates the read path of `engine` at `stage`.
    ///
    /// - Parameters:
    ///   - engine: The engine whose stores, gate and comparator the reads use.
    ///   - stage: Which store answers and whether reads are compared.
    ///   - router: In `live`, which keys read v2 (the canary); without one, every key does.
    ///   - configuration: Queue depth, sample rate, comparison budget and the comparator's priority.
    public init(
        engine: MigrationEngine, stage: MigrationStage = .shadow, router: Router? = nil,
        configuration: Configuration = .init()
    ) {
        self.engine = engine
        self.configuration = configuration
        comparisonBudget = configuration.comparisonBudget ?? engine.plan.comparisonBudget ?? .default
        routing = Mutex((stage, router))
    }

    /// The current stage.
    public var stage: MigrationStage { routing.withLock { $0.stage } }

    /// Which keys read v2 in `live`.
    public var router: Router? { routing.withLock { $0.router } }

    /// Moves to another stage (for example from `shadow` to `live`).
    public func setStage(_ stage: MigrationStage) { routing.withLock { $0.stage = stage } }

    /// Moves to another stage and router at once (a rollout step: `live` at a new canary percent).
    public func setStage(_ stage: MigrationStage, router: Router?) {
        routing.withLock { $0 = (stage, router) }
    }

    /// Comparisons queued and not yet run.
    public var pending: Int { queue.withLock { $0.count } }

    /// The authoritative row of `key`, after queueing its comparison when the stage compares and the key is
    /// sampled. While the breaker halts the canary the legacy (shadow) store answers.
    public func read(_ key: String) throws(EngineError) -> StoredRecord? {
        try readRow(key).row
    }

    /// The authoritative row of `key` as ``read(_:)`` answers it, and the store that answered (the typed facade
    /// decodes it with that store's type).
    public func readRow(_ key: String) throws(EngineError) -> (row: StoredRecord?, side: DualWriter.Side) {
        let (stage, router) = routing.withLock { $0 }
        let side = stage.readStore(for: key, router: router, isHalting: engine.isHalting)
        let record = try engine.read(key, from: side)
        engine.countRead()
        if stage.compares && KeyHash.sampled(key, rate: engine.plan.sampleRate) {
            enqueue(key, row: record, from: side)
        }
        return (record, side)
    }

    /// Queues a comparison of `key` whose row in `side` the caller has just read (`nil`: no row) for ``run()``,
    /// without waiting: when the queue is full, or after ``shutdown()``, the comparison is shed and counted. The
    /// comparator then reads only the other store's row, and reads both again only when they do not carry the same
    /// write (see ``MigrationEngine/compare(key:row:from:cohort:)``). Read paths that choose their store themselves
    /// (the typed facade) call this.
    public func enqueue(_ key: String, row: StoredRecord?, from side: DualWriter.Side) {
        enqueue(Pending(key: key, row: row, side: side))
    }

    private func enqueue(_ item: Pending) {
        if comparisonBudget.isZero {
            // A budget of nothing: the comparison is skipped here, and nothing is queued for the comparator.
            engine.comparator.countBudget(offered: 1, skipped: 1)
            return
        }
        let capacity = configuration.queueCapacity
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.finished, queue.count < max(1, capacity) else { return false }
            queue.items.append(item)
            return true
        }
        if !accepted { engine.countShed() }
    }

    /// Compares queued keys until ``shutdown()`` (then finishes what is queued and returns) or cancellation (then
    /// stops, counting what it did not compare as shed). Run it in a task the service owns, or in a `ServiceGroup`.
    ///
    /// The comparisons run on a thread of their own, named `tandem-compare` (what `ps -L` and `top -H` show), at the
    /// service's priority unless ``Configuration/priority`` lowers it (see ``ComparatorPriority`` for why it does not
    /// by default). What they may take from the requests is bounded by the CPU budget (``comparisonBudget``): before
    /// each batch the comparator adds what the budget has earned since the last one, compares a uniformly random
    /// subset of the queued keys that it pays for at their recent cost, and counts the others as skipped by the
    /// budget.
    public func run() async {
        let cancelled = Atomic<Bool>(false)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    Self.nameThread()
                    comparatorThreadID.store(Self.currentThreadID(), ordering: .releasing)
                    if configuration.priority == .background { Self.lowerPriority() }
                    drain(cancelled: cancelled)
                    continuation.resume()
                }
                thread.name = "tandem-comparator"
                thread.start()
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    private func drain(cancelled: borrowing Atomic<Bool>) {
        // Two buffers trade places: the queue always gets back an emptied one that keeps its capacity, so an append
        // on the read path does not grow (reallocate and copy) the queue once it has reached its working size.
        var batch: [Pending] = []
        batch.reserveCapacity(min(max(1, configuration.queueCapacity), 1024))
        // Comparisons whose rows carried different writes, waiting for their retry deadline (in deadline order, as
        // they all wait the same delay).
        var retries: [Pending] = []
        let comparator = engine.comparator
        var meter = ComparisonBudgetMeter(
            budget: comparisonBudget, wall: CPUClock.wall, processCPU: CPUClock.process,
            processCores: ProcessInfo.processInfo.activeProcessorCount, seed: UInt64.random(in: .min ... .max))
        let budgeted = comparisonBudget != .unlimited
        while true {
            batch.removeAll(keepingCapacity: true)
            let finished = queue.withLock { queue -> Bool in
                swap(&batch, &queue.items)
                return queue.finished
            }
            if cancelled.load(ordering: .relaxed) {
                comparator.countShed(batch.count + retries.count)
                return
            }
            let started = budgeted ? CPUClock.thread : 0
            var compared = 0
            let now = ContinuousClock.now
            if finished && batch.isEmpty && !retries.isEmpty {
                // Shut down: nothing new arrives, so the last retries only wait out their deadline.
                if let last = retries.last?.retryAt, last > now { Thread.sleep(forTimeInterval: (last - now).seconds) }
                _ = comparator.compareBatch(retries, now: ContinuousClock.now)
                compared += retries.count
                retries.removeAll()
            } else {
                let due = retries.prefix { item in item.retryAt.map { $0 <= now } ?? true }.count
                if due > 0 {
                    // A retried comparison never comes back: it counts as in_flight if its rows still differ.
                    _ = comparator.compareBatch(Array(retries.prefix(due)), now: now)
                    compared += due
                    retries.removeFirst(due)
                }
            }
            if !batch.isEmpty {
                var admitted = batch
                if budgeted {
                    meter.refill(wall: CPUClock.wall, processCPU: CPUClock.process)
                    admitted = meter.choose(meter.admissible(batch.count), of: batch)
                }
                comparator.countBudget(offered: batch.count, skipped: batch.count - admitted.count)
                if !admitted.isEmpty {
                    retries.append(contentsOf: comparator.compareBatch(admitted, now: now))
                    compared += admitted.count
                }
            }
            if budgeted && compared > 0 { meter.charge(cpu: CPUClock.thread &- started, comparisons: compared) }
            if batch.isEmpty && finished && retries.isEmpty { return }
            // A small batch means the comparator is keeping up: let keys gather for a poll interval instead of taking
            // the queue's lock again at once. Taking it after every key or two made the read path meet the
            // comparator on that lock (and on its cache line) hundreds of thousands of times a second under load.
            if batch.count < Self.gatherTarget {
                Thread.sleep(forTimeInterval: configuration.idlePoll.seconds)
            }
        }
    }

    /// Batches smaller than this make the comparator wait ``Configuration/idlePoll`` before taking the next one.
    static let gatherTarget = 256

    /// The comparator thread's name as `ps -L`, `top -H` and `/proc/<pid>/task/*/comm` show it.
    static let threadName = "tandem-compare"

    /// Names the calling thread on Linux, where Foundation's `Thread.name` does not reach the kernel (the thread kept
    /// the name of the dispatch queue it was spawned from). Linux allows 15 bytes. Written to `/proc/thread-self/comm`,
    /// what `pthread_setname_np` does, since Swift's Glibc module does not export that GNU extension.
    private static func nameThread() {
        #if os(Linux)
            let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            _ = threadName.withCString { write(descriptor, $0, strlen($0)) }
            close(descriptor)
        #endif
    }

    /// The kernel's id of the calling thread, from the `/proc/thread-self` link (`/proc/<pid>/task/<tid>`); 0 when
    /// unreadable. Swift's Glibc module exports neither `gettid` nor `SYS_gettid`.
    private static func currentThreadID() -> Int32 {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
            guard count > 0 else { return 0 }
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return link.split(separator: "/").last.flatMap { Int32($0) } ?? 0
        #else
            return 0
        #endif
    }

    /// Linux's `SCHED_IDLE` policy (sched.h; Swift's Glibc module does not export it).
    private static let schedIdle: Int32 = 5

    /// Puts the calling thread below every request thread: `SCHED_IDLE` on Linux, which runs only on CPU time no
    /// normal thread wants and never preempts one when it wakes; nice 19 where `SCHED_IDLE` is refused.
    private static func lowerPriority() {
        #if os(Linux)
            var parameters = sched_param()
            parameters.sched_priority = 0
            if pthread_setschedparam(pthread_self(), schedIdle, &parameters) == 0 { return }
            // On Linux the nice value is per thread: PRIO_PROCESS with `who` 0 sets the calling thread's (setpriority(2)).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
    }

    /// Stops accepting comparisons; ``run()`` returns once the queued ones are done.
    public func shutdown() { queue.withLock { $0.finished = true } }
}
