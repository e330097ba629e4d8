/// The gate's judgement of a run (DESIGN section 7): `gate.passed`, `gate.confident`, inconclusive.
///
/// Judged on the run totals, not the sliding window: the report answers "was this whole run consistent?",
/// and a window would forget early mismatches. The breaker, which must react to the present, judges the window.
public struct GateVerdict: Sendable, Hashable {
    /// The overall outcome, from which the CLI's exit code follows (failed: 1, inconclusive: 4, passed: 0).
    public enum Outcome: String, Sendable, Hashable {
        /// At least min_samples comparisons, breaker never tripped, consistency at least min_consistency.
        case passed
        /// The breaker tripped, or enough comparisons showed consistency under min_consistency.
        case failed
        /// Fewer than min_samples comparisons and the breaker never tripped.
        case inconclusive
    }

    /// `gate.passed`: at least `min_samples` comparisons, the breaker never tripped, and observed consistency
    /// at least `min_consistency`.
    public var passed: Bool
    /// `gate.confident`: the upper confidence bound of the mismatch rate is under the budget, the bar for
    /// promoting a canary automatically.
    public var confident: Bool
    /// Fewer than `min_samples` comparisons and the breaker never tripped.
    public var inconclusive: Bool
    /// A sentence saying why, for `gate.reason`.
    public var reason: String

    /// Judges run totals against a configuration.
    ///
    /// - Parameters:
    ///   - totals: The run's comparisons.
    ///   - breakerTripped: Whether the breaker tripped (or would have, in `metrics_only`) during the run.
    ///   - configuration: The gate's settings; `confidence` sets the interval behind `confident`.
    public init(totals: ComparisonCounts, breakerTripped: Bool, configuration: GateConfiguration) {
        let enough = totals.compared >= configuration.minSamples
        let consistency = totals.consistency
        let over = "\(configuration.minConsistency) over \(totals.compared) comparisons"
        let mismatchUpper = WilsonInterval(
            successes: totals.mismatched, trials: totals.compared, confidence: configuration.confidence
        ).upper
        passed = enough && !breakerTripped && consistency >= configuration.minConsistency
        confident = mismatchUpper < configuration.mismatchBudget
        inconclusive = !enough && !breakerTripped
        if breakerTripped {
            reason = "failed: the circuit breaker opened"
        } else if !enough {
            reason = "inconclusive: \(totals.compared) of \(configuration.minSamples) required comparisons"
        } else if passed {
            reason = "passed: consistency \(consistency) >= \(over)"
        } else {
            reason = "failed: consistency \(consistency) < \(over)"
        }
    }

    /// The overall outcome; a failure wins over an inconclusive run.
    public var outcome: Outcome {
        if passed { return .passed }
        return inconclusive ? .inconclusive : .failed
    }
}
