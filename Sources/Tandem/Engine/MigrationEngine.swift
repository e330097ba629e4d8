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
    /// The compare path: reads both rows, judges writes in flight, diffs, and records into the gate.
    public let comparator: Comparator
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

    /// Run counters the comparator does not keep (its findings are merged into ``totals``).
    private let state: Mutex<RunTotals>
    /// Reads are counted on the service's read path: an atomic, so that path never waits for the comparator's lock.
    private let reads = Atomic<Int>(0)
    /// Unknown fields of the legacy writer's v1 payloads, counted when written, before the whitelist trims them.
    let legacyUnknownFields = LegacyUnknownFields()
    private let metrics = EngineMetrics()

    /// Opens the two SQLite stores (replaying pending outbox rows) and sets up the gate and breaker from the plan.
    ///
    /// - Parameters:
    ///   - plan: The migration plan.
    ///   - primaryPath: The v2 (primary) store's SQLite file, created if missing.
    ///   - shadowPath: The v1 (shadow) store's SQLite file, created if missing.
    ///   - configuration: Write mode, durability, samples, clock, logger and comparison budget.
    ///   - onTransition: Called synchronously with every breaker transition (the ledger records them); it must not
    ///     call back into the breaker.
    /// - Throws: ``EngineError`` when a store cannot be opened or the plan's gate settings are out of range.
    public convenience init(
        plan: MigrationPlan, primaryPath: String, shadowPath: String, configuration: Configuration = .init(),
        onTransition: (@Sendable (BreakerTransition) -> Void)? = nil
    ) throws(EngineError) {
        let backend: SQLiteRecordBackend
        do {
            backend = try SQLiteRecordBackend(
                primaryPath: primaryPath, shadowPath: shadowPath, mode: configuration.writer.mode,
                durable: configuration.writer.durable, busyTimeout: configuration.writer.busyTimeout,
                exclusive: configuration.writer.exclusive)
        } catch {
            throw EngineError(error)
        }
        try self.init(plan: plan, backend: backend, configuration: configuration, onTransition: onTransition)
    }

    /// Sets up a migration over `backend`'s stores (replaying their pending outbox rows), with the gate and breaker
    /// from the plan. `configuration.writer.mode` must be the backend's mode.
    ///
    /// - Throws: ``EngineError`` when the stores cannot be used or the plan's gate settings are out of range.
    public init(
        plan: MigrationPlan, backend: any RecordBackend, configuration: Configuration = .init(),
        onTransition: (@Sendable (BreakerTransition) -> Void)? = nil
    ) throws(EngineError) {
        self.plan = plan
        self.configuration = configuration
        let reader: any RecordReader
        do {
            writer = try DualWriter(backend: backend, configuration: configuration.writer)
            reader = try backend.makeReader()
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
            throw EngineError(.configuration, key: nil, reason: "\(plan.planFile ?? plan.name): \(error)")
        }
        diffEngine = DiffEngine(plan: plan)
        redactor = Redactor(plan: plan)
        comparator = Comparator(
            writer: writer, reader: reader, gate: gate, diffEngine: diffEngine, redactor: redactor,
            configuration: configuration)
        var totals = RunTotals()
        totals.repaired = writer.repaired
        state = Mutex(totals)
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
        if let key { try validate(key: key) }
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
        try validate(key: recordKey)
        let shadow: [UInt8]
        if let legacyV1 {
            if let legacy = try? DynamicMessage(
                decoding: legacyV1, as: plan.v1Message, schema: plan.v1.schema,
                options: configuration.decoding)
            {
                // What the legacy writer sent beyond the v1 schema is counted before the whitelist trims it away.
                legacyUnknownFields.record(legacy)
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

    /// Refuses a key no store can hold (empty, or over 1024 UTF-8 bytes) before anything is written.
    private func validate(key: String) throws(EngineError) {
        do {
            try RecordKey.validate(key, path: nil)
        } catch {
            throw EngineError(.invalidKey, key: error.key, reason: error.message)
        }
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
            // One repair pass at once; what still fails stays pending. The count is the outbox's own (rows of earlier
            // batches included), so it always agrees with what the next open or verify finds.
            _ = try? writer.repair()
            let pending = (try? writer.pendingRepairs()) ?? ops.count
            state.withLock { $0.shadowPending = pending }
            configuration.logger?.error("tandem shadow writes pending", metadata: ["rows": "\(pending)"])
            return []
        } catch {
            state.withLock { $0.failedWrites += ops.count }
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
            state.withLock { $0.failedWrites += 1 }
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
            $0.writes += writes
            $0.deletes += deletes
        }
        metrics.writes.increment(by: writes + deletes)
    }

    // MARK: - Reads and comparisons

    /// The row of `key` in one store, as a service's read path reads it (a shadow row this process has queued is
    /// answered from the queue).
    public func read(_ key: String, from side: DualWriter.Side) throws(EngineError) -> StoredRecord? {
        do {
            return try writer.read(key, from: side)
        } catch {
            throw EngineError(error, key: key)
        }
    }

    /// Whether the breaker halts the canary now (lock-free).
    public var isHalting: Bool { breaker.isHalting }

    /// Reads both rows of `key`, compares them, and records the outcome; `nil` when neither store has the key
    /// (not a comparison: nothing is counted). See ``Comparator`` for how writes in flight are judged.
    @discardableResult
    public func compare(key: String, cohort: String? = nil) throws(EngineError) -> KeyComparison? {
        try comparator.compare(key: key, cohort: cohort)
    }

    /// Compares `key` given its row in `side` as the caller just read it (`nil`: no row), reading only the other
    /// store's row: when both rows carry the same write (same `seq`), that pair is compared; otherwise (a write in
    /// between, or a row missing on either side) both rows are read again as ``compare(key:cohort:)`` does, so a race
    /// is never counted as a mismatch.
    @discardableResult
    public func compare(key: String, row: StoredRecord?, from side: DualWriter.Side, cohort: String? = nil)
        throws(EngineError) -> KeyComparison?
    {
        try comparator.compare(key: key, row: row, from: side, cohort: cohort)
    }

    /// Compares an already-read pair of rows and records the outcome.
    @discardableResult
    public func record(pair: RecordPair, cohort: String? = nil) -> KeyComparison? {
        comparator.record(pair: pair, cohort: cohort)
    }

    /// Counts reads served (the comparison, if any, is counted by ``compare(key:cohort:)``).
    package func countRead() { reads.wrappingAdd(1, ordering: .relaxed) }

    /// Counts an input line that could not be used.
    package func countBadLine() { state.withLock { $0.badLines += 1 } }

    /// Counts a comparison shed because the comparison queue was full.
    package func countShed() { comparator.countShed() }

    // MARK: - Results

    /// The run's totals so far (operations, bad lines, repairs, unknown fields, cohorts).
    public var totals: RunTotals {
        var totals = state.withLock { $0 }
        totals.reads = reads.load(ordering: .relaxed)
        totals.unknownFields = comparator.unknownFields + legacyUnknownFields.total
        totals.cohorts = comparator.cohorts
        return totals
    }

    /// The plan's sample rate and what the background comparator's CPU budget has skipped so far.
    public var sampling: Report.Sampling {
        let budget = comparator.budget
        return Report.Sampling(rate: plan.sampleRate, budgetOffered: budget.offered, budgetSkipped: budget.skipped)
    }

    /// The share of reads actually compared: the plan's sample rate, lowered by the share of queued comparisons the
    /// background comparator's CPU budget skipped or the queue shed.
    public var effectiveSampleRate: Double { sampling.effectiveRate(shed: gate.totals.shed) }

    /// The mismatch groups so far, most frequent first.
    public var mismatchGroups: [MismatchGroup] { comparator.mismatchGroups }

    /// The sampled mismatching keys with their diffs, in the order they were seen.
    public var mismatchSamples: [KeyComparison] { comparator.mismatchSamples }
}
