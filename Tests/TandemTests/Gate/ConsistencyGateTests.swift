import Foundation
import Tandem
import TandemTesting
import Testing

@Suite("Consistency gate")
struct ConsistencyGateTests {
    @Test func emptyGateReportsFullConsistencyWithUninformativeInterval() throws {
        let gate = try ConsistencyGate(clock: ManualClock())
        let snapshot = gate.snapshot()
        #expect(snapshot.consistency == 1)
        #expect(snapshot.interval.lower == 0)
        #expect(snapshot.interval.upper == 1)
        #expect(snapshot.verdict.outcome == .inconclusive)
        #expect(snapshot.breakerState == nil)
    }

    @Test func inFlightAndShedAreCountedApartFromTheRatio() throws {
        let gate = try ConsistencyGate(clock: ManualClock())
        for outcome in [ComparisonOutcome.match, .match, .mismatch, .inFlight, .shed, .shed] {
            gate.record(outcome)
        }
        gate.record(matched: true)
        let snapshot = gate.snapshot()
        #expect(snapshot.totals == GateTotals(compared: 4, matched: 3, mismatched: 1, inFlight: 1, shed: 2))
        #expect(snapshot.consistency == 0.75)
        #expect(snapshot.window == ComparisonCounts(compared: 4, mismatched: 1))
        #expect(snapshot.interval == WilsonInterval(successes: 3, trials: 4, confidence: 0.95))
    }

    /// Windows of at most 100 comparisons keep one comparison per bucket: exact.
    @Test func countWindowSlidesExactlyWhenSmall() throws {
        let gate = try ConsistencyGate(configuration: GateConfiguration(minSamples: 10, window: .count(10)))
        for _ in 0..<10 { gate.record(.mismatch) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 10, mismatched: 10))
        for _ in 0..<5 { gate.record(.match) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 10, mismatched: 5))
        for _ in 0..<5 { gate.record(.match) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 10, mismatched: 0))
        #expect(gate.snapshot().totals.mismatched == 10)
    }

    /// A window of 1000 keeps 100 buckets of 10: the oldest bucket leaves whole.
    @Test func countWindowSlidesByWholeBuckets() throws {
        let gate = try ConsistencyGate(configuration: GateConfiguration(window: .count(1000)))
        for _ in 0..<1000 { gate.record(.mismatch) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 1000, mismatched: 1000))
        gate.record(.match)
        #expect(gate.snapshot().window == ComparisonCounts(compared: 991, mismatched: 990))
        for _ in 0..<9 { gate.record(.match) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 1000, mismatched: 990))
        gate.record(.match)
        #expect(gate.snapshot().window == ComparisonCounts(compared: 991, mismatched: 980))
        for _ in 0..<1000 { gate.record(.match) }
        #expect(gate.snapshot().window.mismatched == 0)
    }

    @Test func timeWindowForgetsComparisonsOlderThanItsSpan() throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_700_000_000))
        let gate = try ConsistencyGate(configuration: GateConfiguration(window: .seconds(60)), clock: clock)
        for _ in 0..<5 { gate.record(.mismatch) }
        clock.advance(by: 30)
        for _ in 0..<5 { gate.record(.match) }
        #expect(gate.snapshot().window == ComparisonCounts(compared: 10, mismatched: 5))
        clock.advance(by: 29.5)
        #expect(gate.snapshot().window == ComparisonCounts(compared: 10, mismatched: 5))
        clock.advance(by: 0.5)
        #expect(gate.snapshot().window == ComparisonCounts(compared: 5, mismatched: 0))
        clock.advance(by: 3600)
        #expect(gate.snapshot().window == ComparisonCounts())
        #expect(gate.snapshot().totals.compared == 10)
    }

    @Test func lateTimestampsCountInTheCurrentBucket() throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1000))
        let gate = try ConsistencyGate(configuration: GateConfiguration(window: .seconds(60)), clock: clock)
        gate.record(.mismatch)
        clock.set(to: Date(timeIntervalSince1970: 900))
        #expect(clock.now() == Date(timeIntervalSince1970: 1000))
        gate.record(.match)
        #expect(gate.snapshot().window == ComparisonCounts(compared: 2, mismatched: 1))
    }

    /// The verdict judges the run, not the window: early mismatches that left the window still fail the gate.
    @Test func verdictUsesRunTotalsNotTheWindow() throws {
        let gate = try ConsistencyGate(configuration: GateConfiguration(minSamples: 100, window: .count(100)))
        for _ in 0..<5 { gate.record(.mismatch) }
        for _ in 0..<200 { gate.record(.match) }
        let snapshot = gate.snapshot()
        #expect(snapshot.window.mismatched == 0)
        #expect(snapshot.totals.mismatched == 5)
        #expect(snapshot.verdict.passed == false)
        #expect(snapshot.verdict.outcome == .failed)
    }

    @Test func gateFeedsItsBreakerAndFailsWhenItTrips() throws {
        let configuration = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .count(1000))
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            gate: configuration, configuration: BreakerConfiguration(evaluationInterval: 1), clock: clock,
            logger: gateTestLogger)
        let gate = try ConsistencyGate(configuration: configuration, breaker: breaker, clock: clock)
        for _ in 0..<99 { gate.record(.mismatch) }
        gate.record(.inFlight)
        #expect(breaker.state == .closed)
        #expect(gate.snapshot().verdict.outcome == .inconclusive)
        gate.record(.mismatch)
        let snapshot = gate.snapshot()
        #expect(snapshot.breakerState == .open)
        #expect(snapshot.breakerTripped)
        #expect(snapshot.verdict.outcome == .failed)
        #expect(breaker.snapshot().window.compared == 100)
    }
}
