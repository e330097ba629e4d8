/// How serious a finding is under a policy; `off` findings are not reported.
public enum CompatibilitySeverity: String, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The change breaks data at run time under the policy: `tandem check` exits 1.
    case error
    /// The change is safe only under a condition the schema cannot show (values in range, valid UTF-8, ...).
    case warning
    /// The rule does not apply under the policy.
    case off

    /// The name as printed and as written in JSON (`error`).
    public var description: String { rawValue }

    /// Errors sort before warnings, warnings before `off`.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .off: return 2
        }
    }
}
