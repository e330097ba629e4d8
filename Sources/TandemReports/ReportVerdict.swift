import Tandem

/// The outcome a report shows first, and the one the CLI exits with: passed, failed or inconclusive.
///
/// A breaker that opened fails the run even with too few comparisons (failed wins over inconclusive). A backfill or
/// repair run is judged by its job instead (DESIGN 11): failed when some keys could not be filled or repaired. A run
/// with a rollout (`replay --rollout`, DESIGN 12) is judged by it: passed at its last step, failed when halted,
/// inconclusive when the traffic ended before.
public enum ReportVerdict: String, Sendable, Hashable, CaseIterable {
    /// The gate passed (or the job resolved every key).
    case passed
    /// The gate failed, the breaker opened, or the job left keys unresolved.
    case failed
    /// Fewer than `min_samples` comparisons and the breaker never opened.
    case inconclusive

    /// The verdict of `report`.
    public init(_ report: Report) {
        if let job = report.job {
            self = job.unresolved > 0 ? .failed : .passed
        } else if let rollout = report.rollout {
            self = rollout.halted ? .failed : rollout.finished ? .passed : .inconclusive
        } else {
            self = Self(gateOf: report)
        }
    }

    /// Why, in one sentence: the rollout's outcome for a run with a rollout, else the gate's reason.
    public static func reason(_ report: Report) -> String {
        guard report.job == nil, let rollout = report.rollout else { return report.gate.reason }
        if rollout.halted { return "failed: the breaker halted the rollout, back at \(rollout.step)" }
        if rollout.finished { return "passed: the rollout reached its last step (\(rollout.step))" }
        return "inconclusive: the traffic ended with the rollout at \(rollout.step), before its last step"
    }

    /// The verdict of `report`'s gate alone, whatever its job or rollout.
    public init(gateOf report: Report) {
        if report.gate.passed {
            self = .passed
        } else if report.gate.inconclusive && !report.transitions.contains(where: { $0.to == .open }) {
            self = .inconclusive
        } else {
            self = .failed
        }
    }
}
