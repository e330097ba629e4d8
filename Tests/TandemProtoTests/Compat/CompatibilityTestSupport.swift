import TandemProto

/// Compiles two `.proto` texts, each in its own pool, and checks them.
enum CompatibilityFixture {
    /// proto3 text with `package acme.<version>;` in front of `body`.
    static func proto3(_ body: String, version: String) -> String {
        "syntax = \"proto3\";\npackage acme.\(version);\n" + body
    }

    /// proto2 text with `package acme.<version>;` in front of `body`.
    static func proto2(_ body: String, version: String) -> String {
        "syntax = \"proto2\";\npackage acme.\(version);\n" + body
    }

    static func schema(_ text: String) throws -> CompatibilitySchema {
        CompatibilitySchema(try ProtoCompiler(importPaths: []).compile(source: text, fileName: "acme/user.proto"))
    }

    /// Checks v1 against v2 under `policy` from every common top-level message.
    static func check(
        _ v1: String, _ v2: String, policy: CompatibilityPolicy = .strict, roots: CompatibilityRoots = .allTopLevel
    ) throws -> CompatibilityReport {
        try CompatibilityChecker(policy: policy).check(v1: schema(v1), v2: schema(v2), roots: roots)
    }

    /// Checks two proto3 bodies (packages acme.v1 and acme.v2).
    static func check3(_ v1: String, _ v2: String, policy: CompatibilityPolicy = .strict) throws -> CompatibilityReport
    {
        try check(proto3(v1, version: "v1"), proto3(v2, version: "v2"), policy: policy)
    }

    /// Checks two proto2 bodies (packages acme.v1 and acme.v2).
    static func check2(_ v1: String, _ v2: String, policy: CompatibilityPolicy = .strict) throws -> CompatibilityReport
    {
        try check(proto2(v1, version: "v1"), proto2(v2, version: "v2"), policy: policy)
    }
}

extension CompatibilityReport {
    /// The rule ids reported, in report order.
    var ruleIDs: [String] { findings.map(\.rule.id) }
}
