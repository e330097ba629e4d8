import Tandem

/// The outcome a report shows first: passed, failed or inconclusive, following the CLI's exit code (a breaker that
/// opened fails the run even with too few comparisons).
public enum ReportVerdict: String, Sendable, Hashable, CaseIterable {
    /// Exit code 0.
    case passed
    /// Exit code 1.
    case failed
    /// Exit code 4.
    case inconclusive

    /// The verdict of `report`.
    public init(_ report: Report) {
        switch report.exitCode {
        case 0: self = .passed
        case 4: self = .inconclusive
        default: self = .failed
        }
    }
}
