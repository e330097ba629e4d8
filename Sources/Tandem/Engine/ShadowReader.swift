import Foundation
import Logging
import Synchronization

/// The read path of a service during a migration: answers every read from the store its stage makes
/// authoritative, and queues a comparison of the key when the stage compares and the key is sampled.
///
/// The caller is never blocked by verification: comparisons go to a bounded queue that a background task drains
/// (``run()``); when the queue is full the comparison is shed and counted. ``compare(_:)`` compares synchronously,
/// for tests and the CLI.
public final class ShadowReader: Sendable {
    /// Settings of the read path.
    public struct Configuration: Sendable {
        /// Comparisons waiting at most; beyond it new comparisons are shed (counted, never blocking).
        public var queueCapacity: Int
        /// Creates a configuration.
        public init(queueCapacity: Int = 4096) {
            self.queueCapacity = queueCapacity
        }
    }

    /// The engine comparisons run through.
    public let engine: MigrationEngine
    /// The settings.
    public let configuration: Configuration
    private let stageBox: Mutex<MigrationStage>
    private let queue: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    /// Creates the read path of `engine` at `stage`.
    public init(engine: MigrationEngine, stage: MigrationStage = .shadow, configuration: Configuration = .init()) {
        self.engine = engine
        self.configuration = configuration
        stageBox = Mutex(stage)
        (queue, continuation) = AsyncStream.makeStream(of: String.self,
                                                       bufferingPolicy: .bufferingOldest(max(1, configuration.queueCapacity)))
    }

    /// The current stage.
    public var stage: MigrationStage {
        get { stageBox.withLock { $0 } }
    }

    /// Moves to another stage (for example from `shadow` to `live`).
    public func setStage(_ stage: MigrationStage) { stageBox.withLock { $0 = stage } }

    /// The authoritative row of `key`, after queueing its comparison when the stage compares and the key is
    /// sampled. While the breaker halts the canary the legacy (shadow) store answers.
    public func read(_ key: String) throws(EngineError) -> StoredRecord? {
        let stage = self.stage
        var side: DualWriter.Side = stage.authoritative == .primary ? .primary : .shadow
        if side == .primary && engine.breaker.isHalting && stage.writesShadow { side = .shadow }
        let record: StoredRecord?
        do {
            record = try engine.writer.read(key, from: side)
        } catch {
            throw EngineError(error, key: key)
        }
        engine.countRead()
        if stage.compares && KeyHash.sampled(key, rate: engine.plan.sampleRate) {
            if case .dropped = continuation.yield(key) { engine.countShed() }
        }
        return record
    }

    /// Compares `key` now, on the caller's thread; `nil` when neither store holds it.
    @discardableResult
    public func compare(_ key: String) throws(EngineError) -> KeyComparison? {
        try engine.compare(key: key)
    }

    /// Drains queued comparisons until ``shutdown()`` (then finishes what is queued) or cancellation (then stops,
    /// counting what it did not compare as shed). Run it in a task the service owns, or in a `ServiceGroup`.
    public func run() async {
        var iterator = queue.makeAsyncIterator()
        while let key = await iterator.next() {
            if Task.isCancelled {
                engine.countShed()
                continue
            }
            do {
                try engine.compare(key: key)
            } catch {
                engine.configuration.logger?.warning("tandem comparison failed", metadata: ["key": "\(key)", "error": "\(error.reason)"])
            }
        }
    }

    /// Stops accepting comparisons; ``run()`` returns once the queued ones are done.
    public func shutdown() { continuation.finish() }
}
