/// Compares a v1 and a v2 schema, each in its own pool, and reports what a rollout would do to data.
///
/// The comparison starts at root messages (see ``CompatibilityRoots``) and follows fields by number into the message
/// and enum types they use, matching those pairwise (each pair once, so recursive types terminate). Each difference
/// is reported under a ``CompatibilityRule`` with the rule's severity under the ``policy``; rules that are `off`
/// under it report nothing. The rules and their policy table are documented on ``CompatibilityRule``.
///
/// ```swift
/// let v1 = try ProtoCompiler(importPaths: ["old"]).compile(["acme/user.proto"])
/// let v2 = try ProtoCompiler(importPaths: ["new"]).compile(["acme/user.proto"])
/// let report = try CompatibilityChecker(policy: .wireJSON)
///     .check(v1: CompatibilitySchema(v1), v2: CompatibilitySchema(v2), roots: .named("User"))
/// ```
public struct CompatibilityChecker: Sendable {
    /// The policy severities are judged under.
    public var policy: CompatibilityPolicy

    /// Creates a checker; `wire_json` is the default policy.
    public init(policy: CompatibilityPolicy = .wireJSON) {
        self.policy = policy
    }

    /// Compares `v1` with `v2` from `roots`.
    ///
    /// - Throws: ``CompatibilityError`` when a named root message does not exist on a side, or when no top-level
    ///   message exists on both sides.
    public func check(v1: CompatibilitySchema, v2: CompatibilitySchema, roots: CompatibilityRoots)
        throws(CompatibilityError) -> CompatibilityReport
    {
        var run = CompatibilityRun(
            v1: CompatibilityPool(side: "v1", schema: v1), v2: CompatibilityPool(side: "v2", schema: v2),
            policy: policy)
        try run.start(roots)
        return CompatibilityReport(policy: policy, findings: run.findings)
    }
}
