import Foundation
import Tandem
import TandemTesting
import Testing

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    /// Budget 1%, min_samples 100: small numbers keep the tests readable.
    static let onePercent = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .count(10_000))

    func makeBreaker(
        gate: GateConfiguration = onePercent, _ configuration: BreakerConfiguration = BreakerConfiguration(),
        clock: ManualClock = ManualClock(), recorder: GateTransitionRecorder? = nil
    ) throws -> CircuitBreaker {
        try CircuitBreaker(
            gate: gate, configuration: configuration, clock: clock, logger: gateTestLogger,
            onTransition: recorder?.hook())
    }

    @Test func neverTripsBeforeMinSamples() throws {
        let breaker = try makeBreaker(BreakerConfiguration(evaluationInterval: 1))
        for _ in 0..<99 { breaker.record(matched: false) }
        #expect(breaker.state == .closed)
        #expect(!breaker.isHalting)
        breaker.record(matched: false)
        #expect(breaker.state == .open)
        #expect(breaker.isHalting)
    }

    /// A stream with a mismatch every 40th comparison (2.5%, budget 1%): the trip sample is found by scanning
    /// the textbook bounds at each evaluation point, independently of the breaker's code.
    @Test(arguments: [1, 10, 25])
    func tripsAtTheFirstEvaluationWhoseLowerBoundExceedsTheBudget(interval: Int) throws {
        let isMismatch = { (i: Int) in i % 40 == 1 }
        var expected = 0
        var mismatches = 0
        for i in 1...10_000 {
            if isMismatch(i) { mismatches += 1 }
            if i >= 100, i % interval == 0, referenceTripLower95(events: mismatches, trials: i) > 0.01 {
                expected = i
                break
            }
        }
        #expect(expected > 100)

        let recorder = GateTransitionRecorder()
        let breaker = try makeBreaker(BreakerConfiguration(evaluationInterval: interval), recorder: recorder)
        var tripped = 0
        for i in 1...10_000 {
            breaker.record(matched: !isMismatch(i))
            if breaker.state == .open {
                tripped = i
                break
            }
        }
        #expect(tripped == expected)
        let trip = try #require(recorder.transitions.first)
        #expect(trip.from == .closed && trip.to == .open)
        #expect(trip.samples == expected)
        #expect(breaker.hasTripped)
    }

    @Test func openBreakerTurnsHalfOpenAfterOpenSecondsThenClosesOnHealthyProbes() throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1000))
        let recorder = GateTransitionRecorder()
        let breaker = try makeBreaker(
            BreakerConfiguration(openSeconds: 30, halfOpenProbes: 20, evaluationInterval: 1), clock: clock,
            recorder: recorder)
        for _ in 0..<100 { breaker.record(matched: false) }
        #expect(breaker.state == .open)
        clock.advance(by: 29)
        for _ in 0..<50 { breaker.record(matched: true) }
        #expect(breaker.state == .open)
        clock.advance(by: 5)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.isHalting)
        for _ in 0..<19 { breaker.record(matched: true) }
        #expect(breaker.state == .halfOpen)
        breaker.record(matched: true)
        #expect(breaker.state == .closed)
        #expect(breaker.snapshot().window == ComparisonCounts())
        #expect(breaker.hasTripped)

        let moves = recorder.transitions.map { "\($0.from.rawValue)->\($0.to.rawValue)" }
        #expect(moves == ["closed->open", "open->half_open", "half_open->closed"])
        // Half-open began when open_seconds ran out, not when it was noticed.
        #expect(recorder.transitions[1].at == Date(timeIntervalSince1970: 1030))
        #expect(recorder.transitions[2].samples == 20)
        #expect(recorder.transitions[2].mismatchRate == 0)
    }

    /// Probes close the breaker unless they themselves show the rate above budget. Budget 1%, 20 probes:
    /// one mismatch gives an exact lower bound of 0.0253 / 20 = 0.0013 (close), two give 0.2422 / 20 = 0.0121
    /// (reopen). Budget 1e-4, 100 probes: a single mismatch already reopens (0.0253 / 100 = 2.5e-4).
    @Test(arguments: [
        (0.99, 20, 0, BreakerState.closed),
        (0.99, 20, 1, BreakerState.closed),
        (0.99, 20, 2, BreakerState.open),
        (0.9999, 100, 0, BreakerState.closed),
        (0.9999, 100, 1, BreakerState.open),
    ])
    func halfOpenProbesDecide(minConsistency: Double, probes: Int, mismatches: Int, expected: BreakerState) throws {
        let clock = ManualClock()
        let gate = GateConfiguration(minConsistency: minConsistency, minSamples: 100, window: .count(1000))
        let breaker = try makeBreaker(
            gate: gate, BreakerConfiguration(openSeconds: 10, halfOpenProbes: probes, evaluationInterval: 1),
            clock: clock)
        for _ in 0..<100 { breaker.record(matched: false) }
        #expect(breaker.state == .open)
        clock.advance(by: 10)
        for probe in 0..<probes { breaker.record(matched: probe >= mismatches) }
        #expect(breaker.state == expected)
    }

    @Test func reopenedBreakerWaitsTwiceAsLongAndCanRecover() throws {
        let clock = ManualClock()
        let recorder = GateTransitionRecorder()
        let breaker = try makeBreaker(
            BreakerConfiguration(openSeconds: 10, halfOpenProbes: 10, evaluationInterval: 1), clock: clock,
            recorder: recorder)
        for _ in 0..<100 { breaker.record(matched: false) }
        clock.advance(by: 10)
        for _ in 0..<10 { breaker.record(matched: false) }
        #expect(breaker.state == .open)
        #expect(breaker.snapshot().backoff == 2)
        // The failed probe doubled the open period: 20 s, not 10.
        clock.advance(by: 19)
        #expect(breaker.state == .open)
        clock.advance(by: 1)
        for _ in 0..<10 { breaker.record(matched: true) }
        #expect(breaker.state == .closed)
        // Closed, but the recovery is not proven until a fresh window holds min_samples under budget.
        #expect(breaker.snapshot().backoff == 2)
        // After closing, the fresh window needs min_samples again before a new trip.
        for _ in 0..<99 { breaker.record(matched: false) }
        #expect(breaker.state == .closed)
        breaker.record(matched: false)
        #expect(breaker.state == .open)
        // Re-tripping before the window held is a failed recovery: 40 s now.
        #expect(breaker.snapshot().backoff == 4)
        clock.advance(by: 39)
        #expect(breaker.state == .open)
        clock.advance(by: 1)
        #expect(breaker.state == .halfOpen)
        let moves = recorder.transitions.map { "\($0.from.rawValue)->\($0.to.rawValue)" }
        #expect(
            moves == [
                "closed->open", "open->half_open", "half_open->open", "open->half_open", "half_open->closed",
                "closed->open", "open->half_open",
            ])
        #expect(breaker.snapshot().flaps == 1)
    }

    @Test func aPersistentDivergenceBacksOffUpTo16TimesOpenSeconds() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            BreakerConfiguration(openSeconds: 30, halfOpenProbes: 10, evaluationInterval: 1), clock: clock)
        for _ in 0..<100 { breaker.record(matched: false) }
        #expect(breaker.state == .open)
        var periods: [Double] = []
        var openedAt = clock.now()
        // An hour of traffic that always mismatches: probe whenever the breaker lets probes through.
        while clock.now().timeIntervalSince1970 < 3600 {
            clock.advance(by: 1)
            if breaker.state == .halfOpen {
                periods.append(clock.now().timeIntervalSince(openedAt))
                for _ in 0..<10 { breaker.record(matched: false) }
                #expect(breaker.state == .open)
                openedAt = clock.now()
            }
        }
        #expect(periods == [30, 60, 120, 240, 480, 480, 480, 480, 480, 480])
        #expect(breaker.snapshot().backoff == 16)
        #expect(breaker.snapshot().flaps == periods.count)
        // A reset forgets the back-off.
        breaker.reset()
        #expect(breaker.snapshot().backoff == 1)
    }

    @Test func aRecoveryThatHoldsForAFullWindowResetsTheBackOff() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            BreakerConfiguration(openSeconds: 10, halfOpenProbes: 10, evaluationInterval: 1), clock: clock)
        for _ in 0..<100 { breaker.record(matched: false) }
        clock.advance(by: 10)
        for _ in 0..<10 { breaker.record(matched: false) }
        #expect(breaker.snapshot().backoff == 2)
        clock.advance(by: 20)
        for _ in 0..<10 { breaker.record(matched: true) }
        #expect(breaker.state == .closed)
        for _ in 0..<99 { breaker.record(matched: true) }
        #expect(breaker.snapshot().backoff == 2)
        breaker.record(matched: true)
        #expect(breaker.snapshot().backoff == 1)
        // The next trip waits open_seconds again.
        for _ in 0..<100 { breaker.record(matched: false) }
        #expect(breaker.state == .open)
        clock.advance(by: 10)
        #expect(breaker.state == .halfOpen)
    }

    @Test func forcedOpenHaltsUntilReset() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock)
        breaker.forceOpen()
        #expect(breaker.state == .forcedOpen)
        #expect(breaker.isHalting)
        clock.advance(by: 3600)
        for _ in 0..<1000 { breaker.record(matched: true) }
        #expect(breaker.state == .forcedOpen)
        #expect(!breaker.hasTripped)
        breaker.reset()
        #expect(breaker.state == .closed)
        #expect(!breaker.isHalting)
        #expect(breaker.snapshot().window == ComparisonCounts())
    }

    @Test(arguments: [BreakerConfiguration.Mode.disabled, .metricsOnly])
    func nonEnforcingModesNeverHalt(mode: BreakerConfiguration.Mode) throws {
        let breaker = try makeBreaker(BreakerConfiguration(evaluationInterval: 1, mode: mode))
        for _ in 0..<5000 { breaker.record(matched: false) }
        #expect(!breaker.isHalting)
        #expect(breaker.state.rawValue == mode.rawValue)
        #expect(breaker.snapshot().transitions.isEmpty)
        // metrics_only evaluates, so its would-be trip is reported; disabled never evaluates.
        #expect(breaker.hasTripped == (mode == .metricsOnly))
    }

    @Test func switchingToMetricsOnlyReleasesAnOpenBreaker() throws {
        let breaker = try makeBreaker(BreakerConfiguration(evaluationInterval: 1))
        for _ in 0..<100 { breaker.record(matched: false) }
        #expect(breaker.isHalting)
        breaker.metricsOnly()
        #expect(breaker.state == .metricsOnly)
        #expect(!breaker.isHalting)
        breaker.disable()
        #expect(breaker.state == .disabled)
        #expect(!breaker.isHalting)
        #expect(breaker.hasTripped)
    }

    /// Default plan settings, a true mismatch rate of 1e-5 (a tenth of the budget), 1,000,000 comparisons.
    @Test func healthyStreamNeverTripsOverAMillionComparisons() throws {
        let breaker = try CircuitBreaker(clock: ManualClock(), logger: gateTestLogger)
        var random = SplitMix64(seed: 20_240_601)
        var mismatches = 0
        for _ in 0..<1_000_000 {
            let mismatch = Double.random(in: 0..<1, using: &random) < 1e-5
            if mismatch { mismatches += 1 }
            breaker.record(matched: !mismatch)
        }
        #expect(mismatches > 0)
        #expect(breaker.state == .closed)
        #expect(!breaker.hasTripped)
    }

    /// The counterpart that shows the test above can fail: ten times the budget trips.
    @Test func unhealthyStreamTrips() throws {
        let breaker = try CircuitBreaker(clock: ManualClock(), logger: gateTestLogger)
        var random = SplitMix64(seed: 20_240_601)
        for _ in 0..<100_000 {
            breaker.record(matched: Double.random(in: 0..<1, using: &random) >= 1e-3)
        }
        #expect(breaker.state == .open)
    }

    @Test func transitionsStreamDeliversEventsInOrder() async throws {
        let clock = ManualClock()
        let recorder = GateTransitionRecorder()
        let breaker = try makeBreaker(
            BreakerConfiguration(openSeconds: 5, halfOpenProbes: 5, evaluationInterval: 1), clock: clock,
            recorder: recorder)
        for _ in 0..<100 { breaker.record(matched: false) }
        clock.advance(by: 5)
        for _ in 0..<5 { breaker.record(matched: true) }
        breaker.forceOpen()
        breaker.reset()
        breaker.metricsOnly()
        breaker.finish()

        var received: [BreakerTransition] = []
        for await transition in breaker.transitions { received.append(transition) }
        let moves = received.map { "\($0.from.rawValue)->\($0.to.rawValue)" }
        #expect(
            moves == [
                "closed->open", "open->half_open", "half_open->closed", "closed->forced_open", "forced_open->closed",
                "closed->metrics_only",
            ])
        #expect(received == recorder.transitions)
        #expect(received == breaker.snapshot().transitions)
        #expect(received.map(\.at) == received.map(\.at).sorted())
    }
}
