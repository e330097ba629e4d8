import Logging
import ServiceLifecycle
import SwiftProtobuf
import Synchronization

/// A migration linked into a service, typed by the service's generated swift-protobuf messages.
///
/// `TandemMigration` wires a ``MigrationEngine`` for code that holds `V2` and `V1` messages rather than bytes:
/// ``write(_:legacy:key:)`` dual-writes a v2 record (and the shadow record: the whitelisted legacy v1 record when
/// the legacy code path produced one, else the projection of v2); ``read(key:)`` answers from the store the stage,
/// the canary and the breaker make authoritative, and queues a sampled comparison of the key for ``run()``, which
/// the service runs as a `Service` in its `ServiceGroup`. The caller never waits for verification: when the queue
/// is full the comparison is shed and counted.
///
/// ```swift
/// let migration = try TandemMigration<Acme_User_V2_UserProfile, Acme_User_V1_UserProfile>(
///     planDirectory: "Migrations/user-profile", primaryPath: "v2.sqlite", shadowPath: "v1.sqlite",
///     configuration: .init(stage: .shadow, logger: logger))
/// let group = ServiceGroup(services: [migration, httpServer], logger: logger)  // the migration stops last
/// try await group.run()
/// ```
///
/// Metrics, through swift-metrics (bootstrap the backend before creating the migration): the engine's
/// `tandem_writes_total`, `tandem_comparisons_total{result}`, `tandem_mismatches_total{kind}` and
/// `tandem_shed_total`, the gate's `tandem_consistency`, the breaker's `tandem_breaker_state` and
/// `tandem_breaker_transitions_total{to}`, and the facade's own `tandem_reads_total{store}` and
/// `tandem_write_failures_total`.
///
/// Writes go to both stores in every stage: the engine commits the primary and the shadow row as one step, and
/// keeping the legacy store written is what keeps a roll-back possible. Stop writing legacy by retiring the
/// migration after `complete`. See <doc:AdoptingTandem>.
public final class TandemMigration<V2: SwiftProtobuf.Message, V1: SwiftProtobuf.Message>: Sendable {
    /// The engine underneath: stores, gate, breaker, mismatch groups, totals.
    public let engine: MigrationEngine
    /// The settings the migration was created with (``stage`` may have moved since).
    public let configuration: TandemMigrationConfiguration
    /// Breaker transitions and write failures, in order; meant for one consumer. Finishes when ``run()`` returns.
    public let events: AsyncStream<TandemMigrationEvent>

    private let router: Router
    /// The rollout walking the plan's `rollout:` block, when ``TandemMigrationConfiguration/rollout`` is set: it
    /// sets the stage and the canary percent. Steer it with its ``RolloutController/promote()``,
    /// ``RolloutController/pause()``, ``RolloutController/resume()`` and ``RolloutController/rollback()``.
    public let rollout: RolloutController?
    /// The fleet's breaker, when ``TandemMigrationConfiguration/fleetLedger`` is set: ``run()`` runs it, and this
    /// instance's breaker follows it.
    public let fleetBreaker: FleetBreaker?
    private let runState: Mutex<RunState>
    /// The comparison queue and its drainer (shared with plain ``ShadowReader`` users).
    private let comparisons: ShadowReader
    private let eventContinuation: AsyncStream<TandemMigrationEvent>.Continuation
    private let metrics: TandemMetrics

    private enum RunState { case idle, running, finished }

    /// Opens the stores of `plan` (replaying pending outbox rows) for the generated types `V2` and `V1`.
    ///
    /// - Throws: ``TandemMigrationError`` with ``TandemMigrationError/Code/schemaMismatch`` when `V2` or `V1` is not
    ///   the plan's message, ``TandemMigrationError/Code/configuration`` for a setting out of range, and
    ///   ``TandemMigrationError/Code/store`` when a store cannot be opened.
    public convenience init(
        plan: MigrationPlan, primaryPath: String, shadowPath: String,
        configuration: TandemMigrationConfiguration = .init()
    ) throws(TandemMigrationError) {
        try self.init(plan: plan, configuration: configuration) { (writer) throws(StoreError) -> any RecordBackend in
            try SQLiteRecordBackend(
                primaryPath: primaryPath, shadowPath: shadowPath, mode: writer.mode, durable: writer.durable,
                busyTimeout: writer.busyTimeout, exclusive: writer.exclusive)
        }
    }

    /// Opens the stores `openBackend` returns (replaying pending outbox rows) for the generated types `V2` and `V1`:
    /// how a backend other than SQLite's (PostgreSQL's, in `TandemPostgres`) is used. `openBackend` is called once,
    /// after the settings are checked, with the writer's settings (its mode must be the backend's).
    ///
    /// - Throws: ``TandemMigrationError`` as ``init(plan:primaryPath:shadowPath:configuration:)``.
    public init(
        plan: MigrationPlan, configuration: TandemMigrationConfiguration = .init(),
        openBackend: (DualWriter.Configuration) throws(StoreError) -> any RecordBackend
    ) throws(TandemMigrationError) {
        guard V2.protoMessageName == plan.v2Message.fullName else {
            throw TandemMigrationError(
                .schemaMismatch,
                reason: "the v2 type is \(V2.protoMessageName) but the plan's v2 message is \(plan.v2Message.fullName)")
        }
        guard V1.protoMessageName == plan.v1Message.fullName else {
            throw TandemMigrationError(
                .schemaMismatch,
                reason: "the v1 type is \(V1.protoMessageName) but the plan's v1 message is \(plan.v1Message.fullName)")
        }
        guard !configuration.rollout || plan.rollout != nil else {
            throw TandemMigrationError(
                .configuration, reason: "rollout is set but the plan \(plan.name) has no rollout: block")
        }
        guard configuration.queueCapacity >= 1 else {
            throw TandemMigrationError(
                .configuration, reason: "queueCapacity must be at least 1, got \(configuration.queueCapacity)")
        }
        do {
            // Checked before the stores are opened: a bad setting leaves no file behind.
            _ = try Router(canaryPercent: configuration.canaryPercent, salt: configuration.canarySalt)
        } catch {
            throw TandemMigrationError(.configuration, reason: "\(error)", underlying: error)
        }
        self.configuration = configuration
        metrics = TandemMetrics(factory: configuration.metricsFactory)
        let (events, eventContinuation) = AsyncStream.makeStream(
            of: TandemMigrationEvent.self, bufferingPolicy: .bufferingNewest(max(1, configuration.eventBufferSize)))
        self.events = events
        self.eventContinuation = eventContinuation
        let metrics = self.metrics
        let logger = configuration.logger
        let engineConfiguration = MigrationEngine.Configuration(
            writer: DualWriter.Configuration(
                mode: configuration.writeMode, durable: configuration.durable,
                shadowWrites: configuration.shadowWrites,
                onShadowWriteFailure: { error in
                    metrics.writeFailures.increment()
                    logger?.error(
                        "tandem shadow write failed; the row waits in the outbox",
                        metadata: ["error": "\(error.code)"])
                    eventContinuation.yield(
                        .shadowWriteFailed(
                            TandemMigrationError(
                                .write, key: error.key, reason: error.description,
                                engineError: EngineError(error, key: error.key))))
                }),
            logger: configuration.logger)
        do throws(EngineError) {
            let backend: any RecordBackend
            do {
                backend = try openBackend(engineConfiguration.writer)
            } catch {
                throw EngineError(error)
            }
            engine = try MigrationEngine(
                plan: plan, backend: backend, configuration: engineConfiguration,
                onTransition: { eventContinuation.yield(.breakerTransition($0)) })
        } catch {
            throw TandemMigrationError(
                error.code == .configuration ? .configuration : .store, reason: error.reason, engineError: error)
        }
        do {
            router = try Router(
                canaryPercent: configuration.canaryPercent, salt: configuration.canarySalt, breaker: engine.breaker)
        } catch {
            throw TandemMigrationError(.configuration, reason: "\(error)", underlying: error)
        }
        runState = Mutex(.idle)
        comparisons = ShadowReader(
            engine: engine, stage: configuration.stage, router: router,
            configuration: ShadowReader.Configuration(
                queueCapacity: configuration.queueCapacity, comparisonBudget: configuration.comparisonBudget,
                priority: configuration.comparatorPriority))
        if configuration.rollout, let rolloutPlan = plan.rollout {
            let comparisons = comparisons
            let salt = configuration.canarySalt
            let breaker = engine.breaker
            let apply: @Sendable (RolloutStep) -> Void = { step in
                let router = try? Router(canaryPercent: Double(step.canaryPercent), salt: salt, breaker: breaker)
                comparisons.setStage(step.stage, router: router)
            }
            do {
                rollout = try RolloutController(
                    plan: rolloutPlan, gate: engine.gate, breaker: engine.breaker, ledger: configuration.rolloutLedger,
                    logger: configuration.logger,
                    onDecision: { decision in eventContinuation.yield(.rolloutDecision(decision)) },
                    onStep: apply)
            } catch {
                throw TandemMigrationError(
                    error.code == .ledger ? .store : .configuration, reason: error.reason, underlying: error)
            }
        } else {
            rollout = nil
        }
        if let fleetLedger = configuration.fleetLedger {
            do {
                fleetBreaker = try FleetBreaker(
                    backend: fleetLedger, instance: configuration.instance, gate: engine.gate,
                    configuration: configuration.fleet, logger: configuration.logger)
            } catch {
                throw TandemMigrationError(.configuration, reason: "\(error)", underlying: error)
            }
        } else {
            fleetBreaker = nil
        }
    }

    /// Loads the plan in `planDirectory` (its `tandem.yaml` and protos) and opens the stores.
    ///
    /// - Throws: ``TandemMigrationError`` with ``TandemMigrationError/Code/plan`` when the plan does not load, or any
    ///   error of ``init(plan:primaryPath:shadowPath:configuration:)``.
    public convenience init(
        planDirectory: String, primaryPath: String, shadowPath: String,
        configuration: TandemMigrationConfiguration = .init()
    ) throws(TandemMigrationError) {
        let plan: MigrationPlan
        do {
            plan = try MigrationPlan.load(directory: planDirectory)
        } catch {
            throw TandemMigrationError(.plan, reason: "\(planDirectory): \(error)", underlying: error)
        }
        try self.init(plan: plan, primaryPath: primaryPath, shadowPath: shadowPath, configuration: configuration)
    }

    // MARK: - Stage, routing, health

    /// The current stage: which store answers reads and whether reads are compared. Setting it takes effect for
    /// the next read.
    public var stage: MigrationStage {
        get { comparisons.stage }
        set { comparisons.setStage(newValue) }
    }

    /// Where a read of `key` goes in the canary: `.v2` for canary keys while the breaker lets the canary run,
    /// `.legacy` for every other key and for every key while the breaker halts.
    public func route(key: String) -> Router.Route { (comparisons.router ?? router).route(key) }

    /// The consistency gate now: totals (compared, matched, mismatched, in flight, shed), consistency with its
    /// Wilson interval, the sliding window, the breaker's state and the verdict.
    public var consistency: GateSnapshot { engine.gate.snapshot() }

    /// The circuit breaker's state now.
    public var breakerState: BreakerState { engine.breaker.state }

    /// The CPU budget of the background comparisons in force (the configuration's, the plan's, or the default).
    public var comparisonBudget: ComparisonBudget { comparisons.comparisonBudget }

    /// The mismatch groups so far, most frequent first (values of redacted paths replaced).
    public var mismatchGroups: [MismatchGroup] { engine.mismatchGroups }

    // MARK: - Writes

    /// Dual-writes `v2` to the primary store and its shadow record to the legacy store, through the group commit.
    ///
    /// Returns once the v2 row has committed with an outbox row holding the legacy one; the legacy row is written
    /// right after, off the caller's thread, and ``read(key:)`` sees it at once (``ShadowWriteTiming/deferred``, the
    /// default; ``TandemMigrationConfiguration/shadowWrites`` can make the call wait for it instead).
    ///
    /// - Parameters:
    ///   - v2: The record in the new schema.
    ///   - legacy: The record the legacy code path produced for the same write, if the service still has one: its
    ///     whitelisted fields become the shadow record, so comparisons check the new path against the old. When
    ///     `nil`, the shadow record is the plan's projection of `v2`.
    ///   - key: The record key; by default read from `v2` at the plan's `key` path.
    /// - Returns: The receipt: key, the `seq` stamped in both rows, the write time.
    /// - Throws: ``TandemMigrationError`` (``TandemMigrationError/Code/encoding`` or
    ///   ``TandemMigrationError/Code/write``); a failed write is also yielded on ``events``.
    @discardableResult
    public func write(_ v2: V2, legacy: V1? = nil, key: String? = nil) async throws(TandemMigrationError)
        -> WriteReceipt
    {
        let op: DualWriteOp
        do {
            let primaryBytes: [UInt8] = try v2.serializedBytes()
            let legacyBytes: [UInt8]? = try legacy.map { try $0.serializedBytes() }
            op = try engine.prepareWrite(key: key, v2: primaryBytes, legacyV1: legacyBytes)
        } catch let error as EngineError {
            throw failed(TandemMigrationError(.write, key: error.key ?? key, reason: error.reason, engineError: error))
        } catch {
            throw failed(TandemMigrationError(.encoding, key: key, reason: "\(error)", underlying: error))
        }
        do {
            return try await engine.write(op)
        } catch {
            throw failed(TandemMigrationError(.write, key: op.key, reason: error.reason, engineError: error))
        }
    }

    private func failed(_ error: TandemMigrationError) -> TandemMigrationError {
        metrics.writeFailures.increment()
        eventContinuation.yield(.writeFailed(error))
        return error
    }

    // MARK: - Reads

    /// The authoritative record of `key`, typed by the store that answered; `nil` when that store has no row.
    ///
    /// `off`, `dualwrite` and `shadow` read the legacy store. `live` reads v2 for canary keys (see ``route(key:)``)
    /// and legacy for the rest; `rampdown` and `complete` read v2. While the breaker halts the canary, every stage
    /// that still writes legacy reads legacy. In `shadow` and `live`, a sampled key's comparison is queued for
    /// ``run()`` (never waited for; shed and counted when the queue is full).
    ///
    /// - Throws: ``TandemMigrationError`` (``TandemMigrationError/Code/read`` or
    ///   ``TandemMigrationError/Code/undecodableRecord``).
    public func read(key: String) throws(TandemMigrationError) -> TandemRecord<V2, V1>? {
        let row: StoredRecord?
        let side: DualWriter.Side
        do {
            // The stage's store answers; the row just read goes with a sampled key's comparison.
            (row, side) = try comparisons.readRow(key)
        } catch {
            throw TandemMigrationError(.read, key: key, reason: error.reason, engineError: error)
        }
        (side == .primary ? metrics.readsPrimary : metrics.readsShadow).increment()
        guard let row else { return nil }
        do {
            switch side {
            case .primary: return .v2(try V2(serializedBytes: row.payload), row)
            case .shadow: return .legacy(try V1(serializedBytes: row.payload), row)
            }
        } catch {
            let type = side == .primary ? V2.protoMessageName : V1.protoMessageName
            throw TandemMigrationError(
                .undecodableRecord, key: key, reason: "the \(side.rawValue) row does not decode as \(type): \(error)",
                underlying: error)
        }
    }

    /// The store that answers a read of `key` at `stage` now.
    public func store(for key: String, at stage: MigrationStage) -> DualWriter.Side {
        stage.readStore(for: key, router: comparisons.router ?? router, isHalting: engine.breaker.isHalting)
    }

    // MARK: - Comparisons

    /// Compares `key` now, on the caller's thread, counted like a queued comparison; `nil` when neither store
    /// holds it. For tests and tools: a service leaves comparisons to ``run()``.
    @discardableResult
    public func compare(key: String) throws(TandemMigrationError) -> KeyComparison? {
        do {
            return try engine.compare(key: key)
        } catch {
            throw TandemMigrationError(.read, key: key, reason: error.reason, engineError: error)
        }
    }

    /// Drains queued comparisons until ``shutdown()`` or a graceful shutdown of the `ServiceGroup`, then finishes
    /// the comparisons still queued and returns. On cancellation it stops at once and counts the comparisons left as shed
    /// (they are sampling, not data). ``events`` finishes when it returns.
    ///
    /// - Throws: ``TandemMigrationError`` with ``TandemMigrationError/Code/alreadyRunning`` when called twice.
    public func run() async throws {
        let start = runState.withLock { state -> Bool in
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard start else {
            throw TandemMigrationError(.alreadyRunning, reason: "run() drains one queue and may run only once")
        }
        defer {
            runState.withLock { $0 = .finished }
            eventContinuation.finish()
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let rollout = self.rollout {
                    group.addTask { try? await rollout.run() }
                }
                if let fleet = self.fleetBreaker {
                    group.addTask { await fleet.run() }
                }
                await self.comparisons.run()
                // The comparisons are done: one last look saves their evidence, then the rollout stops.
                _ = try? self.rollout?.evaluate()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Stops accepting comparisons (later reads count theirs as shed); ``run()`` returns once the queued ones are
    /// done.
    public func shutdown() {
        comparisons.shutdown()
    }
}
