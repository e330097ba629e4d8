import Foundation
import TandemProto
import TandemTestSupport

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

    /// Compiles `files` (name -> text) from a temporary directory in one pool; all of them are requested.
    static func schema(files: [String: String]) throws -> CompatibilitySchema {
        let root = try ProtoTree.write(files)
        defer { try? FileManager.default.removeItem(at: root) }
        return CompatibilitySchema(try ProtoCompiler(importPaths: [root.path]).compile(files.keys.sorted()))
    }

    /// Checks two whole schemas of several files each (name -> text).
    static func check(
        files v1: [String: String], _ v2: [String: String], policy: CompatibilityPolicy = .strict
    ) throws -> CompatibilityReport {
        try CompatibilityChecker(policy: policy).check(
            v1: schema(files: v1), v2: schema(files: v2), roots: .wholeSchema)
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
