import ArgumentParser
import TandemReports

/// The exit codes of the CLI contract (DESIGN 7), for every subcommand, and the one place outcomes and errors map
/// to them.
enum ExitStatus: Int32 {
    /// The gate passed, or nothing was wrong.
    case passed = 0
    /// The gate failed, the breaker opened, a job left keys unresolved, a check found errors, a diff found one.
    case failed = 1
    /// Usage, plan or schema error: nothing ran.
    case usage = 2
    /// A store, ledger or file could not be read or written.
    case io = 3
    /// Fewer than `min_samples` comparisons and the breaker never opened.
    case inconclusive = 4

    /// The status a run's report exits with.
    init(_ verdict: ReportVerdict) {
        switch verdict {
        case .passed: self = .passed
        case .failed: self = .failed
        case .inconclusive: self = .inconclusive
        }
    }

    /// Ends the command with this status when it is not ``passed``, after everything was printed.
    func exitUnlessPassed() throws(ExitCode) {
        if self != .passed { throw ExitCode(rawValue) }
    }
}
