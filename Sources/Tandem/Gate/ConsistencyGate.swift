import Foundation
import Metrics
import Synchronization

/// Counts comparison outcomes for a run: run totals, a sliding window, the consistency interval and the verdict.
///
/// Each record takes the gate's lock briefly, does O(1) work, then feeds the circuit breaker if one was given. The
/// verdict judges the run totals; the breaker judges the sliding window, which a gate with a breaker shares with it
/// (see ``GateVerdict`` and <doc:GateAndBreaker>).
public final class ConsistencyGate: Sendable {
    /// The gate's settings.
    public let configuration: GateConfiguration
    /// The breaker fed by every match and mismatch, if any.
    public let breaker: CircuitBreaker?

    private struct State: Sendable {
        var totals = GateTotals()
        /// The gate's own window, when it feeds no breaker; with a breaker the gate and the breaker share the
        /// breaker's window (one window recorded per comparison, and the window the gate reports is the one the
        /// breaker judges).
        var window: ComparisonWindow?
        var sinceGauge = 0
    }

    /// The `tandem_consistency` gauge is refreshed this often (in comparisons) and at every snapshot: a gauge
    /// update per comparison would cost more than the comparison's bookkeeping.
    private static let gaugeInterval = 1000

    private let state: Mutex<State>
    private let clock: any TandemClock
    private let z: Double
    private let consistencyGauge = Gauge(label: "tandem_consistency")

    /// Creates a gate.
    ///
    /// - Parameters:
    ///   - configuration: The plan's `gate:` settings.
    ///   - breaker: A breaker to feed with every match and mismatch.
    ///   - clock: The time source for time windows and snapshots.
    /// - Throws: ``GateConfigurationError`` naming the out-of-range key.
    public init(
        configuration: GateConfiguration = GateConfiguration(),
        breaker: CircuitBreaker? = nil,
        clock: any TandemClock = WallClock()
    ) throws(GateConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.breaker = breaker
        self.clock = clock
        z = NormalDistribution.z(confidence: configuration.confidence)
        state = Mutex(State(window: breaker == nil ? ComparisonWindow(configuration.window) : nil))
    }

    /// Counts one outcome. Matches and mismatches enter the ratio, the window and the breaker;
    /// `in_flight` and `shed` are only counted.
    public func record(_ outcome: ComparisonOutcome) {
        let compares = outcome == .match || outcome == .mismatch
        let now = compares ? clock.now() : Date(timeIntervalSince1970: 0)
        let gaugeDue: Bool = state.withLock { state in
            state.totals.add(outcome)
            guard compares else { return false }
            state.window?.record(mismatch: outcome == .mismatch, at: now)
            state.sinceGauge += 1
            guard state.sinceGauge >= Self.gaugeInterval else { return false }
            state.sinceGauge = 0
            return true
        }
        if compares { breaker?.record(outcome) }
        if gaugeDue { consistencyGauge.record(windowCounts(at: now).consistency) }
    }

    /// Counts a batch of outcomes, in order, taking the gate's lock once and the breaker's once: what a comparator
    /// that works in batches records. Equivalent to recording each outcome with ``record(_:)-(ComparisonOutcome)``.
    public func record(_ outcomes: [ComparisonOutcome]) {
        guard !outcomes.isEmpty else { return }
        let now = clock.now()
        var compared = 0
        let gaugeDue: Bool = state.withLock { state in
            var due = false
            for outcome in outcomes {
                state.totals.add(outcome)
                guard outcome == .match || outcome == .mismatch else { continue }
                compared += 1
                state.window?.record(mismatch: outcome == .mismatch, at: now)
                state.sinceGauge += 1
                if state.sinceGauge >= Self.gaugeInterval {
                    state.sinceGauge = 0
                    due = true
                }
            }
            return due
        }
        if compared > 0 { breaker?.record(outcomes) }
        if gaugeDue { consistencyGauge.record(windowCounts(at: now).consistency) }
    }

    /// The window's counts at `now`: the gate's own, or the breaker's when it feeds one.
    private func windowCounts(at now: Date) -> ComparisonCounts {
        if let breaker { return breaker.windowCounts(at: now) }
        return state.withLock { $0.window?.counts(at: now) ?? ComparisonCounts() }
    }

    /// Counts one comparison: `matched` is whether both stores agreed.
    public func record(matched: Bool) {
        record(matched ? .match : .mismatch)
    }

    /// The run totals so far.
    public var totals: GateTotals { state.withLock { $0.totals } }

    /// Totals, window, interval and verdict now.
    public func snapshot() -> GateSnapshot {
        let now = clock.now()
        let (totals, own) = state.withLock { ($0.totals, $0.window?.counts(at: now)) }
        let breakerSnapshot = breaker?.snapshot()
        let window = own ?? breakerSnapshot?.window ?? ComparisonCounts()
        consistencyGauge.record(window.consistency)
        let tripped = breakerSnapshot?.hasTripped ?? false
        let counts = totals.counts
        return GateSnapshot(
            at: now, totals: totals, consistency: counts.consistency,
            interval: WilsonInterval(
                successes: counts.matched, trials: counts.compared, z: z, confidence: configuration.confidence),
            window: window, breakerState: breakerSnapshot?.state, breakerTripped: tripped,
            verdict: GateVerdict(totals: counts, breakerTripped: tripped, configuration: configuration))
    }
}
