import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Walks a migration through the plan's rollout steps (DESIGN 12): promotes when a step's own evidence is strong
/// enough, rolls back to `shadow` and halts when the breaker opens, and never enters `rampdown` or `complete` by
/// itself.
///
/// `dualwrite` promotes after `min_dwell_seconds` alone (it compares nothing). `shadow` and each canary step of
/// `live` promote when, after `min_dwell_seconds`, the comparisons gathered since the step was entered (not the
/// breaker's sliding window) number at least `gate.min_samples` and make the gate confident: the upper bound of the
/// mismatch rate is under the budget. Operators override with ``promote()``, ``pause()``, ``resume()`` and
/// ``rollback()``. Every decision is kept with its evidence and, with a ledger, persisted in its `rollout` state row
/// by compare-and-set, so a restarted process resumes the same step with the same evidence and two instances never
/// both record one move.
public final class RolloutController: Service, Sendable {
    /// The ledger state row that holds the rollout.
    public static let ledgerRow = "rollout"

    /// The plan's rollout block.
    public let plan: RolloutPlan
    /// The steps walked, in order.
    public let steps: [RolloutStep]

    private let gate: ConsistencyGate
    private let breaker: CircuitBreaker
    private let clock: any TandemClock
    private let ledger: (any LedgerBackend)?
    private let logger: Logger
    private let interval: Duration
    private let onDecision: (@Sendable (RolloutDecision) -> Void)?
    private let onStep: (@Sendable (RolloutStep) -> Void)?
    private let stageGauge = Gauge(label: "tandem_rollout_stage")
    private let canaryGauge = Gauge(label: "tandem_rollout_canary_percent")

    private struct State {
        var status: RolloutStatus
        /// The gate's totals when the evidence was last brought up to date.
        var baseline: ComparisonCounts
        /// The ledger row's version this state was read or written as.
        var version: Int64?
        /// The evidence (compared) the ledger holds, so that evidence is saved only when it grew.
        var savedCompared = 0
    }

    private let state: Mutex<State>
    /// Breaker transitions seen at the last evaluation: an open between two evaluations still rolls back.
    private let lastTransitions: Mutex<Int>

    /// Creates a controller at the rollout's first step, or where the ledger's `rollout` row says it stands.
    ///
    /// - Parameters:
    ///   - plan: The rollout block.
    ///   - gate: The gate whose comparisons are the evidence (its configuration sets `min_samples` and the budget).
    ///   - breaker: The breaker whose opening rolls the rollout back.
    ///   - clock: The time dwell is measured by (the traffic's clock in replay).
    ///   - ledger: Where the rollout persists; nil keeps it in memory.
    ///   - logger: Where decisions are logged.
    ///   - interval: How often ``run()`` evaluates.
    ///   - onDecision: Called with every decision of this controller, after it is persisted, while the controller's
    ///     lock is held: it must return quickly and must not call back into the controller.
    ///   - onStep: Called with the current step whenever it changes, by this controller's decision or by adopting
    ///     what another writer of the ledger's row decided (an operator's `tandem rollout`, another instance); the
    ///     read path follows it. Same rules as `onDecision`.
    /// - Throws: ``RolloutError`` when the ledger cannot be read or written, or holds a rollout of other steps.
    public init(
        plan: RolloutPlan, gate: ConsistencyGate, breaker: CircuitBreaker, clock: any TandemClock = WallClock(),
        ledger: (any LedgerBackend)? = nil, logger: Logger? = nil, interval: Duration = .seconds(1),
        onDecision: (@Sendable (RolloutDecision) -> Void)? = nil,
        onStep: (@Sendable (RolloutStep) -> Void)? = nil
    ) throws(RolloutError) {
        self.plan = plan
        steps = plan.steps
        self.gate = gate
        self.breaker = breaker
        self.clock = clock
        self.ledger = ledger
        self.logger = logger ?? Logger(label: "tandem.rollout", factory: { _ in SwiftLogNoOpLogHandler() })
        self.interval = interval
        self.onDecision = onDecision
        self.onStep = onStep
        let now = clock.now()
        let first = RolloutStatus(
            stepIndex: 0, step: steps[0], enteredAt: now, compared: 0, mismatched: 0, halted: false, paused: false,
            finished: steps.count == 1,
            decisions: [RolloutDecision(at: now, step: steps[0], reason: .start, consistency: 1, samples: 0)])
        var initial = State(status: first, baseline: gate.totals.counts, version: nil)
        if let ledger {
            let row: LedgerStateRow?
            do { row = try ledger.state(Self.ledgerRow) } catch { throw RolloutError(.ledger, reason: "\(error)") }
            if let row {
                initial.status = try Self.decode(row.value, steps: steps, ledger: ledger.name)
                initial.version = row.version
            }
        }
        state = Mutex(initial)
        lastTransitions = Mutex(breaker.transitionCount)
        if initial.version == nil, ledger != nil {
            try state.withLock { state throws(RolloutError) in
                do throws(RolloutError) {
                    try persist(&state, state.status)
                } catch  where error.code == .refused {
                    // Another instance started the rollout first: its row was adopted.
                }
            }
        }
        let step = state.withLock { $0.status.step }
        publishMetrics(step)
        onStep?(step)
    }

    /// Where the rollout stands.
    public var status: RolloutStatus { state.withLock { $0.status } }

    /// The current step: the stage reads and writes follow, and the canary percent in `live`.
    public var step: RolloutStep { state.withLock { $0.status.step } }

    /// Starts a rollout that has decided nothing yet at `date`: a replay calls it with the traffic's first timestamp,
    /// so the first step's dwell counts on the traffic's clock, not from the wall clock the controller was created on.
    package func startFirstStep(at date: Date) {
        state.withLock { state in
            guard state.status.stepIndex == 0, state.status.decisions.count == 1 else { return }
            state.status.enteredAt = date
            state.status.decisions[0].at = date
            _ = try? persist(&state, state.status)
        }
    }

    /// Brings the evidence up to date and takes the decision it calls for, if any: a rollback when the breaker
    /// halts, a promotion when the step's condition holds. Evidence that grew is saved in the ledger even without a
    /// decision, so a restart resumes with it.
    ///
    /// - Returns: The decision taken, or nil.
    /// - Throws: ``RolloutError`` (`ledger`) when the decision could not be persisted; it is then not taken.
    @discardableResult
    public func evaluate() throws(RolloutError) -> RolloutDecision? {
        let count = breaker.transitionCount
        let seen = lastTransitions.withLock { seen in
            defer { seen = count }
            return seen
        }
        let openedSince =
            count != seen && breaker.snapshot().transitions.dropFirst(min(seen, count)).contains { $0.to.isHalting }
        let halting = breaker.isHalting || openedSince
        return try state.withLock { state throws(RolloutError) -> RolloutDecision? in
            try adoptLedgerRow(&state)
            absorbEvidence(&state)
            let decision = try decide(&state, halting: halting)
            if decision == nil, state.status.compared != state.savedCompared {
                // Lost to another instance: its rollout was adopted, which is all a checkpoint needs.
                _ = try? persist(&state, state.status)
            }
            return decision
        }
    }

    /// The automatic decision the state calls for; nil when none, or when another instance moved first (its
    /// rollout is adopted).
    private func decide(_ state: inout State, halting: Bool) throws(RolloutError) -> RolloutDecision? {
        let status = state.status
        do {
            if halting && !status.halted && plan.rollbackOn == .breakerOpen {
                return try move(&state, to: rollbackIndex(from: status.stepIndex), reason: .breakerOpen, halt: true)
            }
            guard !status.halted, !status.paused, !status.finished else { return nil }
            let dwelled = clock.now().timeIntervalSince(status.enteredAt) >= plan.minDwellSeconds
            guard dwelled else { return nil }
            if status.step.stage == .dualwrite {
                return try move(&state, to: status.stepIndex + 1, reason: .dwell)
            }
            guard isConfident(status) else { return nil }
            return try move(&state, to: status.stepIndex + 1, reason: .confident)
        } catch  where error.code == .refused {
            return nil
        }
    }

    /// Moves to the next step now, whatever the evidence.
    ///
    /// - Throws: ``RolloutError`` (`refused`) at the last step or while halted (resume first).
    @discardableResult
    public func promote() throws(RolloutError) -> RolloutDecision {
        try command { state throws(RolloutError) in
            let status = state.status
            guard !status.halted else {
                throw RolloutError(.refused, reason: "the rollout is halted by the breaker; resume it first")
            }
            guard status.stepIndex + 1 < steps.count else {
                throw RolloutError(
                    .refused, reason: "the rollout is at its last step (\(status.step)); it never goes further itself")
            }
            return try move(&state, to: status.stepIndex + 1, reason: .manualPromote)
        }
    }

    /// Stops automatic decisions until ``resume()``; the step stays.
    ///
    /// - Throws: ``RolloutError`` (`refused`) when already paused.
    @discardableResult
    public func pause() throws(RolloutError) -> RolloutDecision {
        try command { state throws(RolloutError) in
            guard !state.status.paused else { throw RolloutError(.refused, reason: "the rollout is already paused") }
            var status = state.status
            status.paused = true
            return try record(&state, status, reason: .pause)
        }
    }

    /// Lets a paused or halted rollout decide again. A halted one starts its step (`shadow`) afresh.
    ///
    /// - Throws: ``RolloutError`` (`refused`) when it is neither paused nor halted, or while the breaker still halts.
    @discardableResult
    public func resume() throws(RolloutError) -> RolloutDecision {
        let halting = breaker.isHalting
        return try command { state throws(RolloutError) in
            let status = state.status
            guard status.paused || status.halted else {
                throw RolloutError(.refused, reason: "the rollout is neither paused nor halted")
            }
            if status.halted {
                guard !halting else {
                    throw RolloutError(
                        .refused, reason: "the breaker still halts the canary; reset it or let it close first")
                }
                return try move(&state, to: status.stepIndex, reason: .resume, halt: false, paused: false)
            }
            var resumed = status
            resumed.paused = false
            return try record(&state, resumed, reason: .resume)
        }
    }

    /// Goes back to `shadow` (no key reads v2) and halts until ``resume()``.
    @discardableResult
    public func rollback() throws(RolloutError) -> RolloutDecision {
        try command { state throws(RolloutError) in
            try move(&state, to: rollbackIndex(from: state.status.stepIndex), reason: .manualRollback, halt: true)
        }
    }

    /// Evaluates every `interval` until cancelled or the service group shuts down gracefully; a decision that could
    /// not be persisted is logged and retried at the next evaluation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try self.evaluate()
                } catch {
                    self.logger.error("rollout: \(error)")
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    // MARK: Deciding

    private func command(_ body: (inout State) throws(RolloutError) -> RolloutDecision) throws(RolloutError)
        -> RolloutDecision
    {
        try state.withLock { state throws(RolloutError) -> RolloutDecision in
            absorbEvidence(&state)
            return try body(&state)
        }
    }

    private func absorbEvidence(_ state: inout State) {
        // A step entered later than the clock now shows (a replay whose traffic is older than the wall clock the
        // controller was created on) is taken as entered now: dwell is measured on the clock decisions use.
        let now = clock.now()
        if now < state.status.enteredAt {
            state.status.enteredAt = now
            if let last = state.status.decisions.indices.last, state.status.decisions[last].at > now {
                state.status.decisions[last].at = now
            }
        }
        let totals = gate.totals.counts
        let compared = max(0, totals.compared - state.baseline.compared)
        let mismatched = max(0, totals.mismatched - state.baseline.mismatched)
        state.baseline = totals
        // Before the shadow is compared (dualwrite) nothing counts, and a halted rollout's evidence is void.
        guard state.status.step.stage != .dualwrite, !state.status.halted else { return }
        state.status.compared =
            state.status.compared.addingReportingOverflow(compared).overflow
            ? Int.max : state.status.compared + compared
        state.status.mismatched = min(state.status.compared, state.status.mismatched &+ mismatched)
    }

    private func isConfident(_ status: RolloutStatus) -> Bool {
        let counts = ComparisonCounts(compared: status.compared, mismatched: status.mismatched)
        guard counts.compared >= gate.configuration.minSamples else { return false }
        return GateVerdict(totals: counts, breakerTripped: false, configuration: gate.configuration).confident
    }

    /// Back to `shadow`, never forward: a rollout still in `dualwrite` stays there.
    private func rollbackIndex(from index: Int) -> Int {
        min(index, steps.firstIndex { $0.stage == .shadow } ?? index)
    }

    /// Takes what another writer of the ledger's row decided since this controller last read or wrote it.
    private func adoptLedgerRow(_ state: inout State) throws(RolloutError) {
        guard let ledger else { return }
        let row: LedgerStateRow?
        do { row = try ledger.state(Self.ledgerRow) } catch { throw RolloutError(.ledger, reason: "\(error)") }
        guard let row, row.version != state.version else { return }
        try adopt(&state, row, ledger: ledger.name)
    }

    private func adopt(_ state: inout State, _ row: LedgerStateRow, ledger: String) throws(RolloutError) {
        let before = state.status.step
        state.status = try Self.decode(row.value, steps: steps, ledger: ledger)
        state.version = row.version
        state.savedCompared = state.status.compared
        if state.status.step != before {
            publishMetrics(state.status.step)
            onStep?(state.status.step)
        }
    }

    private func move(
        _ state: inout State, to index: Int, reason: RolloutDecision.Reason, halt: Bool = false, paused: Bool? = nil
    ) throws(RolloutError) -> RolloutDecision {
        guard steps.indices.contains(index) else {
            throw RolloutError(.refused, reason: "the rollout has no step \(index + 1); it has \(steps.count)")
        }
        var status = state.status
        status.stepIndex = index
        status.step = steps[index]
        status.enteredAt = clock.now()
        status.compared = 0
        status.mismatched = 0
        status.halted = halt
        if let paused { status.paused = paused }
        status.finished = !halt && index == steps.count - 1
        return try record(&state, status, reason: reason, evidence: state.status)
    }

    private func record(
        _ state: inout State, _ next: RolloutStatus, reason: RolloutDecision.Reason, evidence: RolloutStatus? = nil
    ) throws(RolloutError) -> RolloutDecision {
        let basis = evidence ?? state.status
        let decision = RolloutDecision(
            at: clock.now(), step: next.step, reason: reason, consistency: basis.consistency, samples: basis.compared)
        var status = next
        status.decisions.append(decision)
        try persist(&state, status)
        let stepChanged = state.status.step != status.step
        state.status = status
        publishMetrics(status.step)
        if stepChanged { onStep?(status.step) }
        logger.notice(
            "rollout: \(reason) -> \(status.step)",
            metadata: [
                "tandem.rollout.stage": "\(status.step.stage.rawValue)",
                "tandem.rollout.canary_percent": "\(status.step.canaryPercent)",
                "tandem.rollout.samples": "\(basis.compared)", "tandem.rollout.consistency": "\(basis.consistency)",
            ])
        onDecision?(decision)
        return decision
    }

    // MARK: Persistence

    private func persist(_ state: inout State, _ status: RolloutStatus) throws(RolloutError) {
        guard let ledger else { return }
        let value = try status.encoded()
        let outcome: (won: Bool, row: LedgerStateRow)
        do { outcome = try ledger.compareAndSet(Self.ledgerRow, expected: state.version, value: value) } catch {
            throw RolloutError(.ledger, reason: "\(error)")
        }
        guard outcome.won else {
            // Another instance moved first: adopt its rollout, and let the caller see this decision refused.
            try adopt(&state, outcome.row, ledger: ledger.name)
            throw RolloutError(
                .refused, reason: "another instance changed the rollout first; it is now at \(state.status.step)")
        }
        state.version = outcome.row.version
        state.savedCompared = status.compared
    }

    private static func decode(_ bytes: [UInt8], steps: [RolloutStep], ledger: String) throws(RolloutError)
        -> RolloutStatus
    {
        var status: RolloutStatus
        do { status = try RolloutStatus.decode(bytes) } catch {
            throw RolloutError(.corrupt, reason: "\(ledger): \(error.reason)")
        }
        guard steps.indices.contains(status.stepIndex), steps[status.stepIndex] == status.step else {
            throw RolloutError(
                .corrupt,
                reason:
                    "\(ledger): the rollout row stands at \(status.step) (step index \(status.stepIndex)), which is "
                    + "not a step of this plan's rollout (\(steps.map(\.description).joined(separator: ", ")))")
        }
        // Whether it is at its last step is this plan's to say (a plan may have gained steps since).
        status.finished = !status.halted && status.stepIndex == steps.count - 1
        return status
    }

    private func publishMetrics(_ step: RolloutStep) {
        stageGauge.record(MigrationStage.allCases.firstIndex(of: step.stage) ?? -1)
        canaryGauge.record(step.canaryPercent)
    }
}
