import Foundation
import TandemProto
import Testing

@testable import Tandem

struct PlanLoadingTests {
    @Test func userProfileExampleLoads() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        #expect(plan.name == "user-profile")
        #expect(plan.v1Message.fullName == "acme.user.v1.UserProfile")
        #expect(plan.v2Message.fullName == "acme.user.v2.UserProfile")
        #expect(plan.key == FieldPath(["id"]))
        #expect(plan.whitelist.count == 7)
        #expect(plan.whitelist[1].from == FieldPath(["profile", "display_name"]))
        #expect(plan.whitelist[2].convert == .timestampMillis)
        #expect(plan.whitelist[3].convert == .enumMap(["ACTIVE": "ACTIVE", "SUSPENDED": "DISABLED"]))
        #expect(plan.compare.ignore == [FieldPath(["last_seen_ms"])])
        #expect(plan.redact == [FieldPath(["email"])])
        #expect(plan.gate.window == .count(100_000))
        #expect(plan.breaker.halfOpenProbes == 100)
        #expect(plan.fingerprint.count == 64)
        #expect(plan.planFile?.hasSuffix("Migrations/user-profile/tandem.yaml") == true)
    }

    @Test func ordersExampleLoads() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("orders"))
        #expect(plan.v2.files == ["v2.proto"])
        #expect(plan.compare.unordered == [FieldPath(["tags"])])
        #expect(plan.gate.window == .seconds(60))
        #expect(plan.sampleRate == 0.25)
    }

    @Test func catalogExampleLoads() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("catalog"))
        #expect(plan.whitelist.count == 27)
        #expect(plan.whitelist.last?.sourcePath == FieldPath(["supplier", "rating"]))
        #expect(plan.redact == [FieldPath(["supplier", "name"])])
        #expect(plan.comparisonBudget == nil)
    }

    @Test func separatePoolsAllowTheSameFullNames() throws {
        let v1 = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\"; package p; message M { int32 a = 1; }", fileName: "a.proto"
        ).schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\"; package p; message M { int64 a = 1; string b = 2; }", fileName: "a.proto"
        ).schema()
        let plan = try MigrationPlan(
            name: "same", v1: PlanSchema(schema: v1, messageName: "p.M"),
            v2: PlanSchema(schema: v2, messageName: "p.M"),
            whitelist: [WhitelistEntry(field: "a")])
        #expect(plan.v1Message.field(named: "a")?.type == .int32)
        #expect(plan.v2Message.field(named: "a")?.type == .int64)
    }

    @Test func fingerprintChangesWithTheSchema() throws {
        let yaml = try String(
            contentsOfFile: PlanTestSupport.migrationDirectory("user-profile") + "/tandem.yaml", encoding: .utf8)
        let first = try MigrationPlan.load(directory: PlanTestSupport.planDirectory(yaml: yaml))
        let second = try MigrationPlan.load(directory: PlanTestSupport.planDirectory(yaml: yaml))
        #expect(first.fingerprint == second.fingerprint)
        let changedDirectory = try PlanTestSupport.planDirectory(yaml: yaml)
        let v2 = try String(contentsOfFile: changedDirectory + "/v2.proto", encoding: .utf8)
        try (v2 + "\n// changed\n").write(toFile: changedDirectory + "/v2.proto", atomically: true, encoding: .utf8)
        #expect(try MigrationPlan.load(directory: changedDirectory).fingerprint != first.fingerprint)
    }

    @Test func protoListAndProtoPathResolve() throws {
        let yaml = """
            name: shared
            v1: { proto: [v1.proto], message: acme.user.v1.UserProfile }
            v2: { proto: uses_shared.proto, message: acme.x.Rec }
            proto_path: [shared]
            whitelist:
              - field: id
            """
        let directory = try PlanTestSupport.planDirectory(
            yaml: yaml,
            extraFiles: [
                "uses_shared.proto":
                    "syntax = \"proto3\"; package acme.x; import \"money.proto\"; message Rec { string id = 1; Money m = 2; }"
            ])
        try FileManager.default.createDirectory(atPath: directory + "/shared", withIntermediateDirectories: true)
        try "syntax = \"proto3\"; package acme.x; message Money { int64 units = 1; }".write(
            toFile: directory + "/shared/money.proto", atomically: true, encoding: .utf8)
        let plan = try MigrationPlan.load(directory: directory)
        #expect(plan.v2.schema.message(named: "acme.x.Money") != nil)
    }

    struct BadPlan: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        let line: Int
        let entry: String
        let reason: String
        var testDescription: String { name }
    }

    static let header = """
        name: t
        v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
        v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
        whitelist:
          - field: id

        """

    static let badPlans: [BadPlan] = [
        BadPlan(
            name: "timestamp convert from a string",
            yaml: header + """
                  - field: display_name
                    from: profile.display_name
                  - field: created_ms
                    from: email_address
                    convert: timestamp_millis
                """, line: 10, entry: "whitelist[2] (created_ms)",
            reason:
                "convert timestamp_millis needs a google.protobuf.Timestamp source, but v2 field email_address is string"
        ),
        BadPlan(
            name: "unknown v1 field", yaml: header + "  - field: nickname\n", line: 6, entry: "whitelist[1] (nickname)",
            reason: "v1 message acme.user.v1.UserProfile has no field nickname"),
        BadPlan(
            name: "unknown from path", yaml: header + "  - field: display_name\n    from: profile.name\n", line: 7,
            entry: "whitelist[1] (display_name)",
            reason: "v2 path profile.name: message acme.user.v2.Profile has no field name"),
        BadPlan(
            name: "enum map names a missing value",
            yaml: header + "  - field: status\n    convert: { enum: { BANNED: DISABLED } }\n", line: 7,
            entry: "whitelist[1] (status)",
            reason: "convert enum maps BANNED, which is not a value of v2 enum acme.user.v2.Status"),
        BadPlan(
            name: "string to int without convert", yaml: header + "  - field: created_ms\n    from: email_address\n",
            line: 6, entry: "whitelist[1] (created_ms)",
            reason: "v1 field created_ms is int64 but v2 field email_address is string"),
        BadPlan(
            name: "unknown key", yaml: header + "compare:\n  ignroe: [last_seen_ms]\n", line: 7,
            entry: "compare.ignroe",
            reason: "unknown key ignroe (did you mean ignore?)"),
        BadPlan(
            name: "ignore path missing", yaml: header + "compare:\n  ignore: [id, last_seen]\n", line: 7,
            entry: "compare.ignore[1] (last_seen)", reason: "message acme.user.v1.UserProfile has no field last_seen"),
        BadPlan(
            name: "unordered on a scalar", yaml: header + "compare:\n  unordered: [id]\n", line: 7,
            entry: "compare.unordered[0] (id)", reason: "unordered needs a repeated field"),
        BadPlan(
            name: "redact path missing", yaml: header + "redact: [mail]\n", line: 6, entry: "redact[0] (mail)",
            reason: "has no field mail"),
        BadPlan(
            name: "key missing in v2", yaml: header + "key: uid\n", line: 6, entry: "key",
            reason: "v2 path uid: message acme.user.v2.UserProfile has no field uid"),
        BadPlan(
            name: "min_consistency out of range", yaml: header + "gate:\n  min_consistency: 1.5\n", line: 7,
            entry: "gate.min_consistency", reason: "must be between 0 and 1 (exclusive), got 1.5"),
        BadPlan(
            name: "confidence out of range", yaml: header + "gate:\n  confidence: 0\n", line: 7,
            entry: "gate.confidence",
            reason: "must be between 0 and 1"),
        BadPlan(
            name: "min_samples zero", yaml: header + "gate:\n  min_samples: 0\n", line: 7, entry: "gate.min_samples",
            reason: "must be >= 1"),
        BadPlan(
            name: "window_seconds zero", yaml: header + "gate:\n  window_seconds: 0\n", line: 7,
            entry: "gate.window_seconds", reason: "must be > 0"),
        BadPlan(
            name: "sample_rate above one", yaml: header + "sample_rate: 1.5\n", line: 6, entry: "sample_rate",
            reason: "must be in [0, 1]"),
        BadPlan(
            name: "comparison_budget not a budget", yaml: header + "comparison_budget: lots\n", line: 6,
            entry: "comparison_budget", reason: "comparison_budget must be `unlimited`, a fraction of one core"),
        BadPlan(
            name: "comparison_budget above 100%", yaml: header + "comparison_budget: 120%\n", line: 6,
            entry: "comparison_budget", reason: "share of the process's CPU in percent (5%), found \"120%\""),
        BadPlan(
            name: "open_seconds zero", yaml: header + "breaker:\n  open_seconds: 0\n", line: 7,
            entry: "breaker.open_seconds", reason: "must be > 0"),
        BadPlan(
            name: "half_open_probes zero", yaml: header + "breaker:\n  half_open_probes: 0\n", line: 7,
            entry: "breaker.half_open_probes", reason: "must be >= 1"),
        BadPlan(
            name: "negative tolerance", yaml: header + "compare:\n  float_tolerance: -1\n", line: 7,
            entry: "compare.float_tolerance", reason: "must be >= 0"),
        BadPlan(
            name: "unknown message",
            yaml:
                "name: t\nv1: { proto: v1.proto, message: acme.user.v1.User }\nv2: { proto: v2.proto, message: acme.user.v2.UserProfile }\nwhitelist:\n  - field: id\n",
            line: 2, entry: "v1.message", reason: "message acme.user.v1.User is not defined in the v1 schema"),
        BadPlan(
            name: "unknown named convert",
            yaml: header + "  - field: display_name\n    from: profile.display_name\n    convert: shout\n",
            line: 8, entry: "whitelist[1] (display_name)", reason: "convert shout is neither built in nor registered"),
        BadPlan(
            name: "to_string from a string",
            yaml: header + "  - field: display_name\n    from: email_address\n    convert: to_string\n",
            line: 8, entry: "whitelist[1] (display_name)", reason: "convert to_string needs a number source"),
    ]

    @Test(arguments: badPlans)
    func badPlanIsRejectedWithFileLineAndEntry(_ bad: BadPlan) throws {
        let directory = try PlanTestSupport.planDirectory(yaml: bad.yaml)
        do {
            _ = try MigrationPlan.load(directory: directory)
            Issue.record("plan was accepted")
        } catch {
            let text = error.description
            #expect(error.file == directory + "/tandem.yaml")
            #expect(text.hasPrefix("\(directory)/tandem.yaml:\(bad.line): \(bad.entry): "), "\(text)")
            #expect(text.contains(bad.reason), "\(text)")
        }
    }

    @Test func badYAMLNamesTheFile() throws {
        let directory = try PlanTestSupport.planDirectory(yaml: "name: [unclosed\n")
        #expect(throws: PlanError.self) { try MigrationPlan.load(directory: directory) }
        do {
            _ = try MigrationPlan.load(directory: directory)
        } catch {
            #expect(error.code == .invalidYAML)
            #expect(error.description.hasPrefix(directory + "/tandem.yaml"))
        }
    }

    @Test func schemaErrorsCarryTheProtoLocation() throws {
        let yaml =
            "name: t\nv1: { proto: broken.proto, message: a.M }\nv2: { proto: v2.proto, message: acme.user.v2.UserProfile }\nwhitelist:\n  - field: id\n"
        let directory = try PlanTestSupport.planDirectory(
            yaml: yaml, extraFiles: ["broken.proto": "syntax = \"proto3\";\nmessage M { int32 = 1; }\n"])
        do {
            _ = try MigrationPlan.load(directory: directory)
            Issue.record("plan was accepted")
        } catch {
            #expect(error.code == .schema)
            #expect(error.line == 2)
            #expect(error.description.contains("broken.proto:2:"), "\(error)")
        }
    }

    @Test func swiftInitValidatesToo() throws {
        let schema = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\"; package p; message M { int32 a = 1; }", fileName: "a.proto"
        ).schema()
        let side = PlanSchema(schema: schema, messageName: "p.M")
        #expect(throws: PlanError.self) {
            try MigrationPlan(name: "x", v1: side, v2: side, whitelist: [WhitelistEntry(field: "b")])
        }
        #expect(throws: PlanError.self) {
            try MigrationPlan(name: "x", v1: side, v2: side, whitelist: [WhitelistEntry(field: "a")], sampleRate: 2)
        }
        var converts = ConvertRegistry()
        converts.register(name: "double_it") { value in .int32(Int32(value.int64Value ?? 0) * 2) }
        let plan = try MigrationPlan(
            name: "x", v1: side, v2: side, whitelist: [WhitelistEntry(field: "a", convert: .named("double_it"))],
            converts: converts)
        #expect(plan.fingerprint.count == 64)
    }
}

@Suite("Plan hardening")
struct PlanHardeningTests {
    @Test func aProtoPathThatIsNotADirectoryIsRefusedNamingIt() throws {
        let yaml = """
            v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
            v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
            proto_path: [missing/dir]
            whitelist:
              - field: id
            """
        let directory = try PlanTestSupport.planDirectory(yaml: yaml)
        #expect {
            try MigrationPlan.load(directory: directory)
        } throws: { error in
            guard let error = error as? PlanError else { return false }
            return error.description.contains("proto_path") && error.description.contains("missing/dir")
        }
    }

    @Test(arguments: ["window: 9223372036854775807", "window: 1000000001", "min_samples: 9223372036854775807"])
    func gateNumbersThatCouldOverflowAreRefusedAtLoad(setting: String) throws {
        let yaml = """
            v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
            v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
            whitelist:
              - field: id
            gate:
              \(setting)
            """
        let directory = try PlanTestSupport.planDirectory(yaml: yaml)
        #expect {
            try MigrationPlan.load(directory: directory)
        } throws: { error in
            guard let error = error as? PlanError else { return false }
            return error.description.contains("gate.") && error.description.contains("at most")
        }
    }

    static let rolloutBase = """
        v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
        v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
        whitelist:
          - field: id
        rollout:

        """

    @Test func aRolloutBlockLoadsWithItsSteps() throws {
        let yaml =
            Self.rolloutBase + """
                  stages: [dualwrite, shadow, live]
                  canary: [1, 25, 100]
                  min_dwell_seconds: 120
                  promote_when: confident
                  rollback_on: breaker_open
                """
        let plan = try MigrationPlan.load(directory: try PlanTestSupport.planDirectory(yaml: yaml))
        let rollout = try #require(plan.rollout)
        #expect(rollout.minDwellSeconds == 120)
        #expect(rollout.steps.map(\.description) == ["dualwrite", "shadow", "live 1%", "live 25%", "live 100%"])
        let none = try MigrationPlan.load(
            directory: try PlanTestSupport.planDirectory(
                yaml: Self.rolloutBase.replacingOccurrences(of: "rollout:\n", with: "")))
        #expect(none.rollout == nil)
    }

    @Test(arguments: [
        ("  stages: [shadow, complete]", "rollout.stages", 6, "never enters complete"),
        ("  stages: [live, shadow]", "rollout.stages", 6, "rollout order"),
        ("  stages: [dualwrite, live]", "rollout.stages", 6, "shadow before live"),
        ("  stages: [shadow, warp]", "rollout.stages[1]", 6, "found \"warp\""),
        ("  canary: [5, 5, 100]", "rollout.canary", 6, "increase"),
        ("  canary: [5, 50]", "rollout.canary", 6, "end at 100"),
        ("  canary: [0, 100]", "rollout.canary", 6, "from 1 to 100"),
        ("  min_dwell_seconds: -1", "rollout.min_dwell_seconds", 6, "from 0"),
        ("  promote_when: always", "rollout.promote_when", 6, "`confident`"),
        ("  rollback_on: never", "rollout.rollback_on", 6, "`breaker_open`"),
        ("  canry: [5, 100]", "rollout.canry", 6, "did you mean canary?"),
    ])
    func aBadRolloutBlockIsRefusedNamingTheKeyAndLine(line: String, key: String, lineNumber: Int, reason: String)
        throws
    {
        let directory = try PlanTestSupport.planDirectory(yaml: Self.rolloutBase + line + "\n")
        #expect {
            try MigrationPlan.load(directory: directory)
        } throws: { error in
            guard let error = error as? PlanError else { return false }
            return error.entry == key && error.line == lineNumber && error.description.contains(reason)
        }
    }
}
