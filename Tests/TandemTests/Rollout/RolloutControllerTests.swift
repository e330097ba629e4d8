import Foundation
import Synchronization
import Tandem
import TandemTesting
import Testing

/// A gate, breaker and clock small enough to read: budget 1%, min_samples 100, 95% confidence (a clean step is
/// confident after 381 comparisons), 10 comparisons a second.
struct RolloutFixture {
    static let gateConfiguration = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .count(1000))
    let clock: ManualClock
    let breaker: CircuitBreaker
    let gate: ConsistencyGate
    let controller: RolloutController

    init(
        _ plan: RolloutPlan, ledger: (any LedgerBackend)? = nil, clock: ManualClock? = nil
    ) throws {
        let clock = clock ?? ManualClock(start: Date(timeIntervalSince1970: 1_000_000))
        self.clock = clock
        breaker = try CircuitBreaker(
            gate: Self.gateConfiguration, configuration: BreakerConfiguration(openSeconds: 30, halfOpenProbes: 50),
            clock: clock, logger: gateTestLogger)
        gate = try ConsistencyGate(configuration: Self.gateConfiguration, breaker: breaker, clock: clock)
        controller = try RolloutController(plan: plan, gate: gate, breaker: breaker, clock: clock, ledger: ledger)
    }

    /// One second of traffic: `comparisons` compared (none in `dualwrite`), `mismatchEvery`-th ones mismatching,
    /// then one evaluation.
    @discardableResult
    func tick(comparisons: Int = 10, mismatchEvery: Int? = nil, on clock: ManualClock) throws -> RolloutDecision? {
        clock.advance(by: 1)
        if controller.step.stage != .dualwrite {
            for index in 0..<comparisons {
                gate.record(matched: mismatchEvery.map { index % $0 != 0 } ?? true)
            }
        }
        return try controller.evaluate()
    }
}

@Suite("Rollout controller")
struct RolloutControllerTests {
    static var plan: RolloutPlan {
        get throws {
            try RolloutPlan(stages: [.dualwrite, .shadow, .live], canary: [5, 25, 100], minDwellSeconds: 60)
        }
    }

    @Test func cleanTrafficWalksEveryStepToTheLastAtOneHundredPercentAndStops() throws {
        let fixture = try RolloutFixture(try Self.plan)
        var ticks = 0
        while !fixture.controller.status.finished && ticks < 1000 {
            try fixture.tick(on: fixture.clock)
            ticks += 1
        }
        let status = fixture.controller.status
        #expect(status.step == RolloutStep(stage: .live, canaryPercent: 100))
        #expect(status.decisions.map(\.reason) == [.start, .dwell, .confident, .confident, .confident])
        #expect(
            status.decisions.map(\.step) == [
                .init(stage: .dualwrite, canaryPercent: 0), .init(stage: .shadow, canaryPercent: 0),
                .init(stage: .live, canaryPercent: 5), .init(stage: .live, canaryPercent: 25),
                .init(stage: .live, canaryPercent: 100),
            ])
        // Dwell binds (60 s gives 600 comparisons, more than the 381 confidence needs): one decision a minute.
        let times = status.decisions.map(\.at.timeIntervalSince1970)
        #expect(zip(times.dropFirst(), times).map { $0 - $1 } == [60, 60, 60, 60])
        #expect(status.decisions.dropFirst(2).allSatisfy { $0.samples == 600 && $0.consistency == 1 })
        #expect(ticks == 240)
        // The last step never moves on by itself, nor by an operator.
        for _ in 0..<300 { #expect(try fixture.tick(on: fixture.clock) == nil) }
        #expect(throws: RolloutError.self) { try fixture.controller.promote() }
        #expect(fixture.controller.step.stage == .live)
    }

    @Test func evidenceIsCountedSinceTheStepWasEnteredNotFromTheWindow() throws {
        let fixture = try RolloutFixture(try RolloutPlan(stages: [.shadow, .live], canary: [100], minDwellSeconds: 0))
        // 380 clean comparisons are not enough at 95% for a 1% budget; 390 are.
        for _ in 0..<38 { #expect(try fixture.tick(on: fixture.clock) == nil) }
        let decision = try #require(try fixture.tick(on: fixture.clock))
        #expect(decision.reason == .confident)
        #expect(decision.samples == 390)
        #expect(fixture.controller.status.compared == 0)
    }

    @Test func aDivergencePlantedAtTwentyFivePercentRollsBackToShadowAndHalts() throws {
        let fixture = try RolloutFixture(try Self.plan)
        while fixture.controller.step != RolloutStep(stage: .live, canaryPercent: 25) {
            try fixture.tick(on: fixture.clock)
        }
        var rollback: RolloutDecision?
        for _ in 0..<100 where rollback == nil {
            rollback = try fixture.tick(comparisons: 10, mismatchEvery: 5, on: fixture.clock)
        }
        let decision = try #require(rollback)
        #expect(decision.reason == .breakerOpen)
        #expect(decision.step == RolloutStep(stage: .shadow, canaryPercent: 0))
        #expect(decision.samples > 0 && decision.consistency < 0.99)
        #expect(fixture.controller.status.halted)
        // Halted: clean traffic decides nothing, and resuming is refused while the breaker halts.
        for _ in 0..<20 { #expect(try fixture.tick(on: fixture.clock) == nil) }
        #expect(fixture.breaker.isHalting)
        #expect(throws: RolloutError.self) { try fixture.controller.resume() }
        fixture.breaker.reset()
        let resumed = try fixture.controller.resume()
        #expect(resumed.reason == .resume)
        #expect(resumed.step.stage == .shadow)
        #expect(!fixture.controller.status.halted)
        #expect(fixture.controller.status.compared == 0)
    }

    @Test func aRestartMidRolloutResumesTheSameStepWithTheSameEvidence() throws {
        let ledger = InMemoryLedgerBackend()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_000_000))
        let first = try RolloutFixture(try Self.plan, ledger: ledger, clock: clock)
        while first.controller.step.stage != .shadow { try first.tick(on: clock) }
        for _ in 0..<20 { try first.tick(on: clock) }
        let before = first.controller.status
        #expect(before.compared == 200)

        // A new process: fresh gate totals, the same ledger.
        let second = try RolloutFixture(try Self.plan, ledger: ledger, clock: clock)
        #expect(second.controller.status == before)
        var decision: RolloutDecision?
        while decision == nil { decision = try second.tick(on: clock) }
        #expect(decision?.reason == .confident)
        #expect(decision?.step == RolloutStep(stage: .live, canaryPercent: 5))
        // 200 before the restart and 400 after: the step still lasted its 60 s.
        #expect(decision?.samples == 600)
        #expect(try RolloutFixture(try Self.plan, ledger: ledger, clock: clock).controller.status.decisions.count == 3)
    }

    @Test func manualCommandsOverrideTheEvidenceAndAreRecorded() throws {
        let ledger = InMemoryLedgerBackend()
        let fixture = try RolloutFixture(try Self.plan, ledger: ledger)
        try fixture.controller.pause()
        for _ in 0..<120 { #expect(try fixture.tick(on: fixture.clock) == nil) }
        #expect(fixture.controller.step.stage == .dualwrite)
        #expect(throws: RolloutError.self) { try fixture.controller.pause() }
        try fixture.controller.resume()
        try fixture.controller.promote()
        try fixture.controller.promote()
        #expect(fixture.controller.step == RolloutStep(stage: .live, canaryPercent: 5))
        try fixture.controller.rollback()
        #expect(fixture.controller.step.stage == .shadow)
        #expect(fixture.controller.status.halted)
        #expect(throws: RolloutError.self) { try fixture.controller.promote() }
        try fixture.controller.resume()
        let reasons: [RolloutDecision.Reason] = [
            .start, .pause, .resume, .manualPromote, .manualPromote, .manualRollback, .resume,
        ]
        #expect(fixture.controller.status.decisions.map(\.reason) == reasons)
        let reloaded = try RolloutFixture(try Self.plan, ledger: ledger)
        #expect(reloaded.controller.status.decisions.map(\.reason) == reasons)
    }

    @Test func twoInstancesRacingToPromoteRecordOneMoveAndTheLoserAdoptsIt() throws {
        let ledger = InMemoryLedgerBackend()
        let clock = ManualClock()
        let one = try RolloutFixture(try Self.plan, ledger: ledger, clock: clock)
        let two = try RolloutFixture(try Self.plan, ledger: ledger, clock: clock)
        try one.controller.promote()
        #expect(throws: RolloutError.self) { try two.controller.promote() }
        #expect(two.controller.step == one.controller.step)
        #expect(two.controller.status.decisions.map(\.reason) == [.start, .manualPromote])
        try two.controller.promote()
        #expect(try RolloutFixture(try Self.plan, ledger: ledger, clock: clock).controller.step.stage == .live)
    }

    @Test func aLedgerRowOfAnotherRolloutIsRefused() throws {
        let ledger = InMemoryLedgerBackend()
        let fixture = try RolloutFixture(try Self.plan, ledger: ledger)
        try fixture.controller.promote()
        try fixture.controller.promote()
        try fixture.controller.promote()
        #expect(fixture.controller.step == RolloutStep(stage: .live, canaryPercent: 25))
        let other = try RolloutPlan(stages: [.shadow, .live], canary: [50, 100])
        #expect {
            _ = try RolloutFixture(other, ledger: ledger)
        } throws: { error in
            (error as? RolloutError)?.code == .corrupt && "\(error)".contains("live 25%")
        }
    }

    @Test func aDecisionAnotherWriterTookIsAdoptedAndFollowedAtTheNextEvaluation() throws {
        let ledger = InMemoryLedgerBackend()
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_000_000.25))
        let operatorSide = try RolloutFixture(try Self.plan, ledger: ledger, clock: clock)
        let steps = Mutex<[RolloutStep]>([])
        let breaker = try CircuitBreaker(gate: RolloutFixture.gateConfiguration, clock: clock, logger: gateTestLogger)
        let gate = try ConsistencyGate(configuration: RolloutFixture.gateConfiguration, breaker: breaker, clock: clock)
        let service = try RolloutController(
            plan: try Self.plan, gate: gate, breaker: breaker, clock: clock, ledger: ledger,
            onStep: { step in steps.withLock { $0.append(step) } })
        try operatorSide.controller.promote()
        try operatorSide.controller.promote()
        #expect(service.step.stage == .dualwrite)
        #expect(try service.evaluate() == nil)
        #expect(service.step == RolloutStep(stage: .live, canaryPercent: 5))
        try operatorSide.controller.rollback()
        try service.evaluate()
        #expect(service.status.halted)
        #expect(steps.withLock { $0 }.map(\.description) == ["dualwrite", "live 5%", "shadow"])
        // Dates survive the ledger exactly, fractions of a second included.
        #expect(service.status == operatorSide.controller.status)
    }

    @Test func aRollbackNeverGoesForwardAndABreakerOpenBetweenEvaluationsStillRollsBack() throws {
        let fixture = try RolloutFixture(try Self.plan)
        try fixture.controller.rollback()
        #expect(fixture.controller.step.stage == .dualwrite)
        #expect(fixture.controller.status.halted)
        try fixture.controller.resume()
        try fixture.controller.promote()
        try fixture.controller.promote()
        #expect(fixture.controller.step.stage == .live)
        // The breaker opens and an operator resets it before the controller looks: the open still counts.
        fixture.breaker.forceOpen()
        fixture.breaker.reset()
        #expect(!fixture.breaker.isHalting)
        let decision = try #require(try fixture.controller.evaluate())
        #expect(decision.reason == .breakerOpen)
        #expect(decision.step.stage == .shadow)
    }

    @Test func aRowFromAPlanWithOtherStepsIsReadAsThisPlanSaysOrRefused() throws {
        let ledger = InMemoryLedgerBackend()
        let long = try RolloutFixture(try Self.plan, ledger: ledger)
        try long.controller.promote()
        #expect(long.controller.step.stage == .shadow)
        // The plan now ends at shadow: the rollout is at its last step, and nothing goes past it.
        let short = try RolloutFixture(try RolloutPlan(stages: [.dualwrite, .shadow]), ledger: ledger)
        #expect(short.controller.status.finished)
        #expect(throws: RolloutError.self) { try short.controller.promote() }
        // Counts no rollout can hold are refused as corrupt, never trapped on.
        let corrupt = InMemoryLedgerBackend()
        let row =
            #"{"compared":1,"mismatched":-9223372036854775808,"stepIndex":0,"step":{"stage":"dualwrite","canaryPercent":0},"enteredAt":0,"halted":false,"paused":false,"finished":false,"decisions":[]}"#
        _ = try corrupt.compareAndSet(RolloutController.ledgerRow, expected: nil, value: Array(row.utf8))
        #expect {
            _ = try RolloutFixture(try Self.plan, ledger: corrupt)
        } throws: { error in
            (error as? RolloutError)?.code == .corrupt && "\(error)".contains("impossible counts")
        }
    }
}
