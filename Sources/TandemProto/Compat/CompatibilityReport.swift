/// The outcome of a compatibility check: the policy and every finding that is not `off` under it.
public struct CompatibilityReport: Sendable, Hashable {
    /// The policy the severities were judged under.
    public var policy: CompatibilityPolicy
    /// The findings, errors first, then warnings; within a severity in v1 (then v2) source order.
    public private(set) var findings: [CompatibilityFinding]

    /// Creates a report; findings are put in report order.
    public init(policy: CompatibilityPolicy, findings: [CompatibilityFinding]) {
        self.policy = policy
        self.findings = Self.ordered(findings)
    }

    /// Adds findings (plan checks, for example), keeping report order.
    public mutating func append(contentsOf more: [CompatibilityFinding]) {
        findings = Self.ordered(findings + more)
    }

    /// How many findings are errors.
    public var errorCount: Int { findings.count { $0.severity == .error } }
    /// How many findings are warnings.
    public var warningCount: Int { findings.count { $0.severity == .warning } }
    /// Whether nothing is an error under the policy.
    public var passed: Bool { errorCount == 0 }

    /// The `check --format json` document (DESIGN 7, a contract): `policy`, `errors`, `warnings`, and `findings`
    /// with `rule`, `severity`, `v1` and `v2` (`{file, line, column, element}` or `null`) and `message`.
    public var jsonValue: JSONValue {
        func side(_ location: FindingLocation?) -> JSONValue {
            guard let location else { return .null }
            return .object([
                "file": .string(location.file), "line": .integer(location.line), "column": .integer(location.column),
                "element": .string(location.element),
            ])
        }
        return .object([
            "policy": .string(policy.rawValue),
            "errors": .integer(errorCount),
            "warnings": .integer(warningCount),
            "findings": .array(
                findings.map { finding in
                    .object([
                        "rule": .string(finding.rule.id), "severity": .string(finding.severity.rawValue),
                        "v1": side(finding.v1), "v2": side(finding.v2), "message": .string(finding.message),
                    ])
                }),
        ])
    }

    private static func ordered(_ findings: [CompatibilityFinding]) -> [CompatibilityFinding] {
        // A stable sort: findings the checker emits together (one field's rules) stay in rule order.
        let keyed = findings.enumerated().map { ($0.offset, $0.element) }
        return keyed.sorted { a, b in
            if a.1.severity != b.1.severity { return a.1.severity < b.1.severity }
            let ka = sortKey(a.1)
            let kb = sortKey(b.1)
            if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            return a.0 < b.0
        }.map(\.1)
    }

    private static func sortKey(_ finding: CompatibilityFinding) -> [String] {
        let location = finding.v1 ?? finding.v2
        guard let location else { return [] }
        return [location.file, String(format6(location.line)), String(format6(location.column))]
    }

    private static func format6(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 8 - text.count)) + text
    }
}
