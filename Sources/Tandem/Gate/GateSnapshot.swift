import Foundation

/// What the consistency gate knows at one moment: run totals, window, interval and verdict.
public struct GateSnapshot: Sendable, Hashable {
    /// When the snapshot was taken, by the gate's clock.
    public var at: Date
    /// Every comparison since the gate was created.
    public var totals: GateTotals
    /// matched / compared over the run; 1 when nothing was compared (no mismatch was seen; the interval
    /// [0, 1] and the verdict say how little that means).
    public var consistency: Double
    /// The Wilson interval of ``consistency`` at the gate's confidence.
    public var interval: WilsonInterval
    /// Comparisons in the gate's sliding window.
    public var window: ComparisonCounts
    /// The breaker's state, when the gate feeds one.
    public var breakerState: BreakerState?
    /// Whether the breaker tripped during the run (or would have, in `metrics_only`).
    public var breakerTripped: Bool
    /// The verdict on the run totals.
    public var verdict: GateVerdict

    /// Creates a snapshot.
    public init(
        at: Date, totals: GateTotals, consistency: Double, interval: WilsonInterval, window: ComparisonCounts,
        breakerState: BreakerState?, breakerTripped: Bool, verdict: GateVerdict
    ) {
        self.at = at
        self.totals = totals
        self.consistency = consistency
        self.interval = interval
        self.window = window
        self.breakerState = breakerState
        self.breakerTripped = breakerTripped
        self.verdict = verdict
    }
}
