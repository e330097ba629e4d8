import Foundation
import TandemProto

/// Replays captured traffic through a ``MigrationEngine``: writes are dual-written in batches committed at least
/// every 100 ms, reads of sampled keys are compared synchronously (deterministic results), and traffic timestamps
/// drive the gate's and breaker's clock, so a day of traffic replayed in seconds behaves as the day did.
///
/// Every operation sees all operations before it: a read of a key with an uncommitted write commits the batch first.
public final class ReplayRunner {
    /// Settings of a replay.
    public struct Configuration: Sendable {
        /// The longest time between commits.
        public var commitInterval: Duration
        /// The most operations in one transaction.
        public var maxBatch: Int
        /// How many bad-line messages are kept for display (all are counted).
        public var maxBadLineMessages: Int
        /// The most points kept in the consistency timeline.
        public var maxTimelinePoints: Int
        /// How often the checkpoint callback of ``ReplayRunner/run(_:progress:checkpoint:)`` is called (and at once after
        /// a breaker transition).
        public var checkpointInterval: Duration

        /// Creates a configuration.
        public init(
            commitInterval: Duration = .milliseconds(100), maxBatch: Int = 2000, maxBadLineMessages: Int = 50,
            maxTimelinePoints: Int = 1000, checkpointInterval: Duration = .seconds(1)
        ) {
            self.checkpointInterval = checkpointInterval
            self.commitInterval = commitInterval
            self.maxBatch = maxBatch
            self.maxBadLineMessages = maxBadLineMessages
            self.maxTimelinePoints = maxTimelinePoints
        }
    }

    /// The engine replayed into.
    public let engine: MigrationEngine
    /// The clock the engine's gate and breaker read; set from traffic timestamps.
    public let clock: TrafficClock
    /// The settings.
    public let configuration: Configuration
    /// Bad lines (the first ``Configuration/maxBadLineMessages``).
    public private(set) var badLines: [TrafficError] = []
    /// The consistency timeline.
    public private(set) var timeline = Timeline()
    /// The rollout walked on the traffic's clock (`replay --rollout`): evaluated once a traffic second, and in
    /// `dualwrite` reads are not compared.
    public let rollout: RolloutController?

    private var pending: [DualWriteOp] = []
    private var pendingKeys: Set<String> = []
    private var lastCommit = ContinuousClock.now
    private let parser: TrafficParser
    private let started = ContinuousClock.now
    private var lastRolloutSecond = Int64.min
    private var sawTimestamp = false

    /// Creates a runner; `clock` must be the clock the engine was configured with.
    public init(
        engine: MigrationEngine, clock: TrafficClock, trafficFile: String, configuration: Configuration = .init(),
        rollout: RolloutController? = nil
    ) {
        self.rollout = rollout
        self.engine = engine
        self.clock = clock
        self.configuration = configuration
        self.parser = TrafficParser(file: trafficFile)
        self.timeline = Timeline(maxPoints: configuration.maxTimelinePoints)
    }

    /// Replays every line of `reader`, calling `progress` about twice a second and `checkpoint` (the ledger's
    /// hook) every ``Configuration/checkpointInterval`` and right after each breaker transition, with the pending
    /// writes committed first. A line over the reader's limit, a bad line or an unusable key is counted and skipped.
    ///
    /// - Throws: ``EngineError`` when a store fails (what was committed before stays committed).
    public func run(
        _ reader: TrafficLineReader, progress: ((ReplayProgress) -> Void)? = nil, checkpoint: (() -> Void)? = nil
    ) throws(EngineError) {
        var processed = 0
        var lastProgress = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
        while let next = reader.next() {
            processed += 1
            let transitions = engine.breaker.transitionCount
            switch next {
            case .tooLong(let bytes):
                badLine(
                    TrafficError(
                        file: parser.file, line: reader.lineNumber,
                        reason: "the line is \(bytes) bytes; the limit is \(reader.maxLineBytes) (--max-line-bytes)"))
            case .text(let line):
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                do {
                    let operation = try parser.parse(line, line: reader.lineNumber)
                    try handle(operation)
                } catch let error as TrafficError {
                    badLine(error)
                } catch let error as EngineError {
                    if error.code == .store || error.code == .configuration || error.code == .io { throw error }
                    badLine(
                        TrafficError(
                            .rejected, file: parser.file, line: reader.lineNumber, key: error.key, reason: error.reason)
                    )
                } catch {
                    badLine(TrafficError(file: parser.file, line: reader.lineNumber, reason: "\(error)"))
                }
            }
            if ContinuousClock.now - lastCommit >= configuration.commitInterval { try flush() }
            // Checkpoints go by the clock, however commits are triggered (full batches commit without waiting for the
            // interval), and at once after a breaker transition, so that a killed run's ledger always renders and
            // shows every transition.
            if let checkpoint,
                engine.breaker.transitionCount != transitions
                    || ContinuousClock.now - lastCheckpoint >= configuration.checkpointInterval
            {
                try flush()
                lastCheckpoint = ContinuousClock.now
                checkpoint()
            }
            if let progress, ContinuousClock.now - lastProgress >= .milliseconds(500) {
                lastProgress = ContinuousClock.now
                progress(snapshot(processed: processed))
            }
        }
        try flush()
        if let failure = reader.readFailure {
            throw EngineError(
                .io, key: nil,
                reason: "\(parser.file): the traffic could not be read past line \(reader.lineNumber): \(failure)")
        }
        timeline.close(at: clock.now(), totals: engine.gate.totals)
        if let rollout { try evaluate(rollout) }
        progress?(snapshot(processed: processed))
    }

    private func badLine(_ error: TrafficError) {
        engine.countBadLine()
        guard badLines.count < configuration.maxBadLineMessages else { return }
        var shown = error
        // A plan that redacts its key field never shows a key in clear, bad lines included.
        if engine.redactor.redactsKeys, let key = error.key {
            shown.key = engine.redactor.key(key)
            shown.reason = shown.reason.replacingOccurrences(of: key, with: "<key>")
        }
        badLines.append(shown)
    }

    private func snapshot(processed: Int) -> ReplayProgress {
        let totals = engine.gate.totals
        let elapsed = ContinuousClock.now - started
        return ReplayProgress(
            processed: processed, elapsed: elapsed.seconds,
            consistency: totals.counts.consistency,
            compared: totals.compared, breakerState: engine.breaker.state)
    }

    private func handle(_ operation: TrafficOperation) throws {
        if let timestamp = operation.timestamp {
            clock.observe(timestamp)
            if !sawTimestamp {
                sawTimestamp = true
                rollout?.startFirstStep(at: clock.now())
            }
        }
        if let rollout {
            let second = Int64(clock.now().timeIntervalSince1970.rounded(.down))
            if second != lastRolloutSecond {
                lastRolloutSecond = second
                try evaluate(rollout)
            }
        }
        switch operation.kind {
        case .write:
            guard let v2 = operation.v2 else { return }
            let op: DualWriteOp
            let legacy = try operation.v1.map { payload throws -> [UInt8] in
                try bytes(payload, v2: false, line: operation)
            }
            switch v2 {
            case .bytes(let bytes):
                op = try engine.prepareWrite(key: operation.key, v2: bytes, legacyV1: legacy)
            case .json(let json):
                let message = try decodeJSON(json, v2: true, line: operation)
                op = try engine.prepareWrite(key: operation.key, primary: message, legacyV1: legacy)
            }
            try enqueue(op)
        case .delete:
            guard let key = operation.key else { return }
            try enqueue(.delete(key: key))
        case .read:
            guard let key = operation.key else { return }
            if pendingKeys.contains(key) { try flush() }
            engine.countRead()
            guard KeyHash.sampled(key, rate: engine.plan.sampleRate) else { return }
            if rollout?.step.stage == .dualwrite { return }
            let before = engine.breaker.state
            try engine.compare(key: key, cohort: operation.cohort)
            let transitioned = engine.breaker.state != before
            timeline.observe(at: clock.now(), totals: engine.gate.totals, force: transitioned)
        }
    }

    /// A rollout decision the ledger could not keep stops the replay as a store failure would.
    private func evaluate(_ rollout: RolloutController) throws(EngineError) {
        do { try rollout.evaluate() } catch {
            throw EngineError(.store, key: nil, reason: "the rollout could not be recorded: \(error)")
        }
    }

    private func enqueue(_ op: DualWriteOp) throws(EngineError) {
        pending.append(op)
        pendingKeys.insert(op.key)
        if pending.count >= configuration.maxBatch { try flush() }
    }

    /// Commits the pending operations in one transaction.
    public func flush() throws(EngineError) {
        lastCommit = ContinuousClock.now
        guard !pending.isEmpty else { return }
        let ops = pending
        pending.removeAll(keepingCapacity: true)
        pendingKeys.removeAll(keepingCapacity: true)
        try engine.apply(ops)
    }

    private func bytes(_ payload: TrafficOperation.Payload, v2: Bool, line: TrafficOperation) throws -> [UInt8] {
        switch payload {
        case .bytes(let bytes): return bytes
        case .json(let json): return try decodeJSON(json, v2: v2, line: line).serializedBytes()
        }
    }

    private func decodeJSON(_ json: JSONValue, v2: Bool, line: TrafficOperation) throws -> DynamicMessage {
        let descriptor = v2 ? engine.plan.v2Message : engine.plan.v1Message
        let schema = v2 ? engine.plan.v2.schema : engine.plan.v1.schema
        do {
            return try DynamicMessage(json: json, descriptor: descriptor, schema: schema)
        } catch {
            throw TrafficError(
                file: parser.file, line: line.line, key: line.key,
                reason: "\(v2 ? "v2_json" : "v1_json") is not a valid \(descriptor.fullName): \(error)")
        }
    }
}
