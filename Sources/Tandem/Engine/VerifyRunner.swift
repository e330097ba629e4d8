import Foundation

/// Verifies two existing stores in full through a ``MigrationEngine``: streams every key of both stores in key order,
/// one page at a time (memory stays flat), and compares each pair with the plan's rules, feeding the gate and the
/// breaker a page of outcomes at a time. ``Configuration/compareThreads`` threads read the next pages in turn and
/// diff them, a few pages ahead, while the caller's records them in key order. A key in one store only is compared
/// as missing from the other.
///
/// Pending outbox rows were replayed when the engine opened the stores (counted as repaired); no other row is ever
/// rewritten, so a row changed by hand is reported, not repaired.
public final class VerifyRunner {
    /// Settings of a verify run.
    public struct Configuration: Sendable {
        /// Keys read from each store at a time.
        public var pageSize: Int
        /// How often the checkpoint callback of ``VerifyRunner/run(progress:checkpoint:)`` is called, after a page (and
        /// after any page in which the breaker changed state).
        public var checkpointInterval: Duration
        /// How often the progress callback is called.
        public var progressInterval: Duration
        /// The most points kept in the consistency timeline.
        public var maxTimelinePoints: Int
        /// How many threads read and diff pages at once (the default: one per core). Outcomes are recorded in key
        /// order whatever this is.
        public var compareThreads: Int

        /// Creates a configuration.
        public init(
            pageSize: Int = 512, checkpointInterval: Duration = .seconds(1),
            progressInterval: Duration = .milliseconds(500), maxTimelinePoints: Int = 1000,
            compareThreads: Int = ProcessInfo.processInfo.activeProcessorCount
        ) {
            self.pageSize = pageSize
            self.compareThreads = max(1, compareThreads)
            self.checkpointInterval = checkpointInterval
            self.progressInterval = progressInterval
            self.maxTimelinePoints = maxTimelinePoints
        }
    }

    /// The engine verified through.
    public let engine: MigrationEngine
    /// The settings.
    public let configuration: Configuration
    /// The consistency timeline.
    public private(set) var timeline: Timeline
    /// Keys read so far (a key in both stores counts once).
    public private(set) var processed = 0

    /// Creates a runner over `engine`'s stores.
    public init(engine: MigrationEngine, configuration: Configuration = .init()) {
        self.engine = engine
        self.configuration = configuration
        timeline = Timeline(maxPoints: configuration.maxTimelinePoints)
    }

    /// Compares every key of both stores, calling `progress` every ``Configuration/progressInterval`` and
    /// `checkpoint` (the ledger's hook) after a page at most every ``Configuration/checkpointInterval``.
    ///
    /// - Throws: ``EngineError`` when a store cannot be read (what was compared before stays counted).
    public func run(progress: ((ReplayProgress) -> Void)? = nil, checkpoint: (() -> Void)? = nil) throws(EngineError) {
        let started = Date()
        // Worker threads read pages in turn and judge them, a few pages ahead; this one records them in key order.
        let comparator = engine.comparator
        let pipeline = PagePipeline(
            cursor: engine.writer.pairCursor(pageSize: configuration.pageSize),
            workers: configuration.compareThreads
        ) { comparator.judge(page: $0) }
        defer { pipeline.cancel() }
        var lastProgress = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
        while let item = pipeline.next() {
            let count: Int
            let judged: [KeyComparison?]
            switch item {
            case .page(let read, let results): (count, judged) = (read, results)
            case .failed(let error): throw EngineError(error)
            }
            let transitions = engine.breaker.transitionCount
            // The page's outcomes go to the gate and the breaker at once (one pass through each lock per page).
            let compared = comparator.record(judged: judged)
            processed += count
            if compared > 0 { timeline.observe(at: Date(), totals: engine.gate.totals, comparisons: compared) }
            // By the clock, and at once after a breaker transition, so a killed run's ledger shows every transition.
            if let checkpoint,
                engine.breaker.transitionCount != transitions
                    || ContinuousClock.now - lastCheckpoint >= configuration.checkpointInterval
            {
                lastCheckpoint = ContinuousClock.now
                checkpoint()
            }
            if let progress, ContinuousClock.now - lastProgress >= configuration.progressInterval {
                lastProgress = ContinuousClock.now
                progress(snapshot(started: started))
            }
        }
        timeline.close(at: Date(), totals: engine.gate.totals)
    }

    private func snapshot(started: Date) -> ReplayProgress {
        let totals = engine.gate.totals
        return ReplayProgress(
            processed: processed, elapsed: started.distance(to: Date()), consistency: totals.counts.consistency,
            compared: totals.compared, breakerState: engine.breaker.state)
    }
}
