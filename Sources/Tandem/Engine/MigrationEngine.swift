import Foundation
import Logging
import Metrics
import Synchronization
import TandemProto

/// One migration at work: a plan, its primary and shadow stores, the comparison pipeline, the gate and the breaker.
///
/// Writes decode the v2 payload (a payload that does not decode is refused, nothing is written), derive the shadow
/// record (the whitelisted legacy v1 payload when given, else the projection of v2), and commit both rows through the
/// ``DualWriter``. Comparisons read both rows, check that they come from the same write, diff them, and feed the
/// ``ConsistencyGate`` (and through it the ``CircuitBreaker``), the mismatch groups and the run totals.
public final class MigrationEngine: Sendable {
    /// The plan.
    public let plan: MigrationPlan
    /// The two stores.
    public let writer: DualWriter
    /// Read connections of their own for comparisons (outbox mode), so they never wait on the writer.
    public let comparisonReader: RecordPairReader
    /// The consistency gate every comparison feeds.
    public let gate: ConsistencyGate
    /// The breaker the gate feeds.
    public let breaker: CircuitBreaker
    /// The diff engine (projection included).
    public let diffEngine: DiffEngine
    /// The settings.
    public let configuration: Configuration
    /// Replaces redacted values in everything the engine keeps or reports.
    public let redactor: Redactor

    private struct State {
        var totals = RunTotals()
        var aggregator: MismatchAggregator
        var samples: [KeyComparison] = []
        var sampledKeys: Set<String> = []
    }

    private let state: Mutex<State>
    /// Reads are counted on the service's read path: an atomic, so that path never waits for the comparator's lock.
    private let reads = Atomic<Int>(0)
    private let metrics = EngineMetrics()

    /// Opens the stores (replaying pending outbox rows) and sets up the gate and breaker from the plan.
    ///
    /// - Parameters:
    ///   - onTransition: Called synchronously with every breaker transition (the ledger records them); it must not
    ///     call back into the breaker.
    /// - Throws: ``EngineError`` when a store cannot be opened or the plan's gate settings are out of range.
    public init(
        plan: MigrationPlan, primaryPath: String, shadowPath: String, configuration: Configuration = .init(),
        onTransition: (@Sendable (BreakerTransition) -> Void)? = nil
    ) throws(EngineError) {
        self.plan = plan
        self.configuration = configuration
        do {
            writer = try DualWriter(
                primaryPath: primaryPath, shadowPath: shadowPath, configuration: configuration.writer)
            comparisonReader = try RecordPairReader(writer: writer)
        } catch {
            throw EngineError(error)
        }
        let logger = configuration.logger ?? Logger(label: "tandem", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            breaker = try CircuitBreaker(
                gate: plan.gate, configuration: plan.breaker, clock: configuration.clock, logger: logger,
                onTransition: onTransition)
            gate = try ConsistencyGate(configuration: plan.gate, breaker: breaker, clock: configuration.clock)
        } catch {
            throw EngineError(.store, key: nil, reason: "\(plan.planFile ?? plan.name): \(error)")
        }
        diffEngine = DiffEngine(plan: plan)
        redactor = Redactor(plan: plan)
        var totals = RunTotals()
        totals.repaired = writer.repaired
        state = Mutex(
            State(
                totals: totals,
                aggregator: MismatchAggregator(
                    redactor: redactor,
                    maxSamplesPerGroup: configuration.samplesPerGroup)))
    }

    // MARK: - Writes

    /// The dual-write operation for one record: both encodings, keyed.
    ///
    /// - Parameters:
    ///   - key: The record key; when `nil`, the plan's `key` path is read from the v2 record.
    ///   - v2: The v2 payload; it must decode with the v2 schema.
    ///   - legacyV1: The payload the legacy writer produced, if any: its whitelisted fields become the shadow
    ///     record; when it does not decode it is stored exactly as given (the next comparison reports it).
    /// - Throws: ``EngineError`` for a v2 payload that does not decode or a missing key.
    public func prepareWrite(key: String?, v2: [UInt8], legacyV1: [UInt8]? = nil) throws(EngineError) -> DualWriteOp {
        // With the key given and no legacy payload, nothing needs the decoded record: when the transcoder answers,
        // the payload decodes (its validator vouches for that) and its bytes are the shadow record.
        if let key, legacyV1 == nil,
            let transcoded = diffEngine.transcoder?.transcode(v2, options: configuration.decoding)
        {
            return .put(key: key, primary: v2, shadow: transcoded.bytes)
        }
        let primary: DynamicMessage
        do {
            primary = try DynamicMessage(
                decoding: v2, as: plan.v2Message, schema: plan.v2.schema,
                options: configuration.decoding)
        } catch {
            throw EngineError(
                .undecodablePrimary, key: key,
                reason: "the v2 payload does not decode as \(plan.v2Message.fullName): \(error)")
        }
        return try prepareWrite(key: key, primary: primary, primaryBytes: v2, legacyV1: legacyV1)
    }

    /// The dual-write operation for a decoded v2 record (`primaryBytes` are stored as given when present).
    public func prepareWrite(
        key: String?, primary: DynamicMessage, primaryBytes: [UInt8]? = nil, legacyV1: [UInt8]? = nil
    ) throws(EngineError) -> DualWriteOp {
        guard let recordKey = key ?? recordKey(of: primary) else {
            throw EngineError(
                .missingKey, key: nil,
                reason: plan.key.map { "the record has no value at the plan's key path \($0)" }
                    ?? "no key given and the plan names no key path")
        }
        let shadow: [UInt8]
        if let legacyV1 {
            if let legacy = try? DynamicMessage(
                decoding: legacyV1, as: plan.v1Message, schema: plan.v1.schema,
                options: configuration.decoding)
            {
                shadow = diffEngine.projection.whitelist(legacy).serializedBytes()
            } else {
                // DESIGN 2: the shadow holds what the legacy writer produced, so the comparison reports it.
                shadow = legacyV1
            }
        } else {
            shadow = diffEngine.projection.project(primary).message.serializedBytes()
        }
        return .put(key: recordKey, primary: primaryBytes ?? primary.serializedBytes(), shadow: shadow)
    }

    /// The key of a v2 record at the plan's `key` path, as text (numbers in decimal).
    public func recordKey(of primary: DynamicMessage) -> String? {
        guard let path = plan.key else { return nil }
        var message = primary
        for (index, component) in path.components.enumerated() {
            guard message.has(named: component), let value = message.get(named: component) else { return nil }
            if index == path.components.count - 1 {
                switch value {
                case .string(let text): return text.isEmpty ? nil : text
                case .int32(let v): return String(v)
                case .int64(let v): return String(v)
                case .uint32(let v): return String(v)
                case .uint64(let v): return String(v)
                case .bytes(let bytes): return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
                default: return nil
                }
            }
            guard case .message(let next) = value else { return nil }
            message = next
        }
        return nil
    }

    /// Applies operations in one transaction (replay's batches), counting writes and deletes.
    ///
    /// - Throws: ``EngineError`` wrapping the store error; nothing of the batch is applied to the primary then.
    ///
    /// When the primary committed but some shadow rows could not be written (outbox mode), the outbox is replayed
    /// once at once; rows still pending stay in the outbox for the next open or ``DualWriter/repair()``, are counted
    /// in ``RunTotals/shadowPending``, and their comparisons show them (`in_flight` or a missing record) instead of
    /// failing the run.
    @discardableResult
    public func apply(_ ops: [DualWriteOp]) throws(EngineError) -> [WriteReceipt] {
        do {
            let receipts = try writer.apply(ops)
            count(ops)
            return receipts
        } catch  where error.code == .shadowPending {
            count(ops)
            let pending = (try? writer.repair()).map { _ in (try? writer.pendingRepairs()) ?? 0 } ?? ops.count
            state.withLock { $0.totals.shadowPending = pending }
            configuration.logger?.error("tandem shadow writes pending", metadata: ["rows": "\(pending)"])
            return []
        } catch {
            state.withLock { $0.totals.failedWrites += ops.count }
            throw EngineError(error)
        }
    }

    /// Writes one record through the group commit (concurrent callers share transactions). In outbox mode with
    /// deferred shadow writes (the default) it returns at the primary commit; see ``ShadowWriteTiming``.
    @discardableResult
    public func write(_ op: DualWriteOp) async throws(EngineError) -> WriteReceipt {
        do {
            let receipt = try await writer.submit(op)
            count([op])
            return receipt
        } catch {
            state.withLock { $0.totals.failedWrites += 1 }
            configuration.logger?.error("tandem dual-write failed", metadata: ["error": "\(error.code)"])
            throw EngineError(error, key: op.key)
        }
    }

    private func count(_ ops: [DualWriteOp]) {
        var writes = 0
        var deletes = 0
        for op in ops {
            if case .put = op { writes += 1 } else { deletes += 1 }
        }
        state.withLock {
            $0.totals.writes += writes
            $0.totals.deletes += deletes
        }
        metrics.writes.increment(by: writes + deletes)
    }

    // MARK: - Comparisons

    /// Reads both rows of `key`, compares them, and records the outcome; `nil` when neither store has the key
    /// (not a comparison: nothing is counted).
    ///
    /// Rows stamped with different `seq`, or a row in one store only, may be a write between its two stores: the rows
    /// are read again once this writer's queued shadow writes are written. Rows that still carry different `seq` are
    /// read again after ``Configuration/inFlightRetryDelay``, and if they still differ the comparison counts as
    /// `in_flight`; a row still in one store only is compared as missing from the other.
    @discardableResult
    public func compare(key: String, cohort: String? = nil) throws(EngineError) -> KeyComparison? {
        var pair: RecordPair
        do {
            pair = try comparisonReader.readPair(key)
            if !pair.sameWrite {
                // This writer's own shadow write may still be queued (deferred shadow writes): let it land first.
                writer.waitForShadowWrites()
                pair = try comparisonReader.readPair(key)
            }
            if let p = pair.primary, let s = pair.shadow, p.seq != s.seq {
                Thread.sleep(forTimeInterval: configuration.inFlightRetryDelay.seconds)
                pair = try comparisonReader.readPair(key)
            }
        } catch {
            throw EngineError(error, key: key)
        }
        return record(pair: pair, cohort: cohort)
    }

    /// Compares `key` given its row in `side` as the caller just read it (`nil`: no row), reading only the other
    /// store's row: when both rows carry the same write (same `seq`), that pair is compared; otherwise (a write in
    /// between, or a row missing on either side) both rows are read again as ``compare(key:cohort:)`` does, so a race
    /// is never counted as a mismatch.
    @discardableResult
    public func compare(key: String, row: StoredRecord?, from side: DualWriter.Side, cohort: String? = nil)
        throws(EngineError) -> KeyComparison?
    {
        if let row {
            let other: StoredRecord?
            do {
                other = try comparisonReader.read(key, from: side == .primary ? .shadow : .primary)
            } catch {
                throw EngineError(error, key: key)
            }
            if let other, other.seq == row.seq {
                let pair =
                    side == .primary
                    ? RecordPair(key: key, primary: row, shadow: other)
                    : RecordPair(key: key, primary: other, shadow: row)
                return record(pair: pair, cohort: cohort)
            }
        }
        return try compare(key: key, cohort: cohort)
    }

    /// Compares an already-read pair of rows and records the outcome (used by `verify`, which streams pairs).
    @discardableResult
    public func record(pair: RecordPair, cohort: String? = nil) -> KeyComparison? {
        if let p = pair.primary, let s = pair.shadow, p.seq != s.seq {
            gate.record(.inFlight)
            metrics.inFlight.increment()
            return KeyComparison(key: pair.key, outcome: .inFlight)
        }
        guard
            let comparison = diffEngine.compare(
                shadowPayload: pair.shadow?.payload, primaryPayload: pair.primary?.payload,
                options: configuration.decoding)
        else { return nil }
        let diffs = comparison.diffs.map(redactor.redact)
        let result = KeyComparison(
            key: pair.key, outcome: diffs.isEmpty ? .match : .mismatch, diffs: diffs,
            unknownFields: comparison.unknownFields)
        gate.record(result.outcome)
        metrics.record(result)
        // A clean match without cohort or unknown fields changes nothing below: no lock taken.
        guard comparison.unknownFields != 0 || cohort != nil || !diffs.isEmpty else { return result }
        state.withLock { state in
            state.totals.unknownFields += comparison.unknownFields
            if let cohort {
                var counts = state.totals.cohorts[cohort] ?? RunTotals.Cohort()
                counts.compared += 1
                if !diffs.isEmpty { counts.mismatched += 1 }
                state.totals.cohorts[cohort] = counts
            }
            guard !diffs.isEmpty else { return }
            state.aggregator.add(key: pair.key, diffs: diffs)
            if state.samples.count < configuration.maxSamples, state.sampledKeys.insert(pair.key).inserted {
                state.samples.append(result)
            }
        }
        return result
    }

    /// Counts reads served (the comparison, if any, is counted by ``compare(key:cohort:)``).
    public func countRead() { reads.wrappingAdd(1, ordering: .relaxed) }

    /// Counts an input line that could not be used.
    public func countBadLine() { state.withLock { $0.totals.badLines += 1 } }

    /// Counts a comparison shed because the comparison queue was full.
    public func countShed() {
        gate.record(.shed)
        metrics.shed.increment()
    }

    /// Counts outbox rows replayed by a later repair.
    public func countRepaired(_ rows: Int) { state.withLock { $0.totals.repaired += rows } }

    // MARK: - Results

    /// The run's totals so far (operations, bad lines, repairs, unknown fields, cohorts).
    public var totals: RunTotals {
        var totals = state.withLock { $0.totals }
        totals.reads = reads.load(ordering: .relaxed)
        return totals
    }

    /// The mismatch groups so far, most frequent first.
    public var mismatchGroups: [MismatchGroup] { state.withLock { $0.aggregator.groups } }

    /// The sampled mismatching keys with their diffs, in the order they were seen.
    public var mismatchSamples: [KeyComparison] { state.withLock { $0.samples } }
}
