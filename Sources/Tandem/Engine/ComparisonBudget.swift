import Foundation

/// How much CPU the background comparator may spend (``ShadowReader/run()``), so that comparisons never take more than
/// their share from the service's requests.
///
/// When the comparisons queued by the read path would cost more than the budget, the comparator compares a uniformly
/// random subset of them (chosen independently of the keys and their content, so the gate's mismatch ratio stays an
/// unbiased estimate) and counts the rest as skipped by the budget, apart from comparisons shed because the queue was
/// full. Fewer comparisons make the gate's interval wider: it needs longer to become confident, never reports more
/// confidence than the comparisons made support. Synchronous comparisons (``MigrationEngine/compare(key:cohort:)``,
/// replay, verify) are not budgeted.
///
/// In a plan: `comparison_budget: 5%` (a share of the process's CPU), `comparison_budget: 0.25` (a fraction of one
/// core) or `comparison_budget: unlimited`.
public enum ComparisonBudget: Sendable, Hashable, CustomStringConvertible {
    /// No limit: every queued comparison is made (the behaviour before budgets existed).
    case unlimited
    /// At most this fraction of one core's time (`0` makes no comparisons at all; `1.5` is one and a half cores).
    case cores(Double)
    /// At most this share, in [0, 1], of the process's CPU time (the comparator's own included): comparisons cost at
    /// most this share of what the service spends, however busy it is.
    case processShare(Double)

    /// The budget when neither the plan nor the configuration sets one: 5% of the process's CPU.
    public static let `default` = ComparisonBudget.processShare(0.05)

    /// Whether the budget allows no comparison at all (the read path then queues none).
    public var isZero: Bool {
        switch self {
        case .unlimited: false
        case .cores(let cores): cores <= 0
        case .processShare(let share): share <= 0
        }
    }

    /// The plan's spelling: `unlimited`, `0.25` (cores) or `5%` (of the process's CPU).
    public var description: String {
        switch self {
        case .unlimited: "unlimited"
        case .cores(let cores): Self.plain(cores)
        case .processShare(let share): Self.plain(share * 100) + "%"
        }
    }

    /// `5` for 5.0, `2.5` for 2.5: a number as a person writes it in a plan.
    private static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Parses the plan's spelling (see ``description``); `nil` when `text` is none of them or out of range.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "unlimited" {
            self = .unlimited
        } else if trimmed.hasSuffix("%") {
            guard let percent = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)), percent.isFinite,
                (0...100).contains(percent)
            else { return nil }
            self = .processShare(percent / 100)
        } else {
            guard let cores = Double(trimmed), cores.isFinite, cores >= 0 else { return nil }
            self = .cores(cores)
        }
    }
}
