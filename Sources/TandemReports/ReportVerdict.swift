import Tandem

/// The outcome a report shows first, and the one the CLI exits with: passed, failed or inconclusive.
///
/// A breaker that opened fails the run even with too few comparisons (failed wins over inconclusive). A backfill or
/// repair run is judged by its job instead (DESIGN 11): failed when some keys could not be filled or repaired.
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
        } else if report.gate.passed {
            self = .passed
        } else if report.gate.inconclusive && !report.transitions.contains(where: { $0.to == .open }) {
            self = .inconclusive
        } else {
            self = .failed
        }
    }
}
