/// One incompatibility between v1 and v2 (or one problem of a migration plan).
public struct CompatibilityFinding: Sendable, Hashable {
    /// The rule that found it.
    public var rule: CompatibilityRule
    /// Its severity under the policy of the check.
    public var severity: CompatibilitySeverity
    /// The element in v1; `nil` when it does not exist in v1.
    public var v1: FindingLocation?
    /// The element in v2; `nil` when it does not exist in v2.
    public var v2: FindingLocation?
    /// What will happen to data at run time, in a sentence a reviewer can act on.
    public var message: String

    /// Creates a finding.
    public init(
        rule: CompatibilityRule, severity: CompatibilitySeverity, v1: FindingLocation?, v2: FindingLocation?,
        message: String
    ) {
        self.rule = rule
        self.severity = severity
        self.v1 = v1
        self.v2 = v2
        self.message = message
    }
}
