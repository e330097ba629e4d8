import Foundation
import TandemProto

/// `tandem check PLAN_DIR`: loads a plan, compares its v1 and v2 record messages with `CompatibilityChecker` (TandemProto), and
/// checks that each whitelisted field can be carried from v2 to the shadow (``PlanRule``).
public struct PlanChecker: Sendable {
    /// The policy severities are judged under.
    public var policy: CompatibilityPolicy
    /// Named converts the plan may use.
    public var converts: ConvertRegistry

    /// Creates a checker.
    public init(policy: CompatibilityPolicy = .wireJSON, converts: ConvertRegistry = .init()) {
        self.policy = policy
        self.converts = converts
    }

    /// Loads the plan in `directory` and checks it.
    ///
    /// - Throws: ``PlanError`` when the plan does not load (bad YAML, a name or path that does not exist, a convert
    ///   that does not fit, a schema that does not compile): the file, line, entry and reason.
    public func check(directory: String) throws(PlanError) -> CompatibilityReport {
        let plan = try MigrationPlan.load(directory: directory, converts: converts)
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let planFile = plan.planFile ?? trimmed + "/tandem.yaml"
        let text = FileManager.default.contents(atPath: planFile).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let index = PlanFileIndex(yaml: text)
        let roots = [trimmed] + index.protoPath.map { $0.hasPrefix("/") ? $0 : trimmed + "/" + $0 }
        let v1 = try Self.schema(for: plan.v1, files: index.protoFiles["v1"] ?? [], roots: roots, side: "v1")
        let v2 = try Self.schema(for: plan.v2, files: index.protoFiles["v2"] ?? [], roots: roots, side: "v2")
        var report: CompatibilityReport
        do {
            report = try CompatibilityChecker(policy: policy)
                .check(v1: v1, v2: v2, roots: .messages(v1: plan.v1.messageName, v2: plan.v2.messageName))
        } catch {
            throw PlanError(.notFound, file: planFile, entry: error.side.map { "\($0).message" }, reason: error.reason)
        }
        var rules = PlanRules(
            plan: plan, v1: v1, v2: v2, policy: policy, planFile: planFile, lines: index.whitelistLines)
        rules.run()
        report.append(contentsOf: rules.findings)
        return report
    }

    /// A side compiled again from its `.proto` files, for source locations; a descriptor-set side (no files) keeps
    /// the plan's pool, without locations.
    private static func schema(for side: PlanSchema, files: [String], roots: [String], side name: String)
        throws(PlanError) -> CompatibilitySchema
    {
        guard !files.isEmpty else {
            return CompatibilitySchema(files: side.schema.files, requested: side.schema.files.map(\.name))
        }
        do {
            return CompatibilitySchema(try ProtoCompiler(importPaths: roots).compile(files))
        } catch {
            throw PlanError(.schema, entry: name + ".proto", reason: error.description)
        }
    }
}
