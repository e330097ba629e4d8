import Foundation
import TandemTestSupport
import Testing

/// `tandem check` end to end: the real binary, its exit codes, and the `check --format json` contract.
@Suite("tandem check")
struct CheckCommandTests {
    static var compat: URL { Oracle.fixtures.appendingPathComponent("compat") }
    static var migrations: URL { Oracle.packageRoot.appendingPathComponent("Migrations") }

    private func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    @Test(arguments: ["wire", "wire_json", "strict"])
    func aFileCheckedAgainstItselfExitsZero(policy: String) throws {
        let result = try Binaries.run(
            "tandem", ["check", "--v1", "v1/acme/user.proto", "--v2", "v1/acme/user.proto", "--policy", policy],
            in: Self.compat)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("passed: 0 error(s), 0 warning(s) under policy \(policy)"), "\(result.stdout)")
    }

    @Test func incompatibleTypeExitsOneAndNamesBothLocations() throws {
        let result = try Binaries.run(
            "tandem",
            [
                "check", "--v1", "v1/acme/user.proto", "--v2", "v2/acme/user.proto", "--message", "User",
                "--policy", "wire",
            ],
            in: Self.compat)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FIELD_WIRE_COMPATIBLE_TYPE"))
        #expect(result.stdout.contains("v1: user.proto:7:3 acme.user.v1.User.created_ms"), "\(result.stdout)")
        #expect(result.stdout.contains("v2: user.proto:7:3 acme.user.v2.User.created_ms"), "\(result.stdout)")
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        #expect(result.stderr.contains("1 error-level finding(s) under policy wire"), "\(result.stderr)")
    }

    @Test func jsonOutputFollowsTheContract() throws {
        let result = try Binaries.run(
            "tandem",
            [
                "check", "--v1", "v1/acme/user.proto", "--v2", "v2/acme/user.proto", "-I.",
                "--format", "json",
            ],
            in: Self.compat)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try json(result.stdout)
        #expect(Set(document.keys) == ["policy", "errors", "warnings", "findings"])
        #expect(document["policy"] as? String == "wire_json")
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(document["errors"] as? Int == findings.filter { $0["severity"] as? String == "error" }.count)
        #expect(document["warnings"] as? Int == findings.filter { $0["severity"] as? String == "warning" }.count)
        #expect(!findings.isEmpty)
        for finding in findings {
            #expect(Set(finding.keys) == ["rule", "severity", "v1", "v2", "message"])
            for side in ["v1", "v2"] {
                if let location = finding[side] as? [String: Any] {
                    #expect(Set(location.keys) == ["file", "line", "column", "element"])
                } else {
                    #expect(finding[side] is NSNull)
                }
            }
        }
        let type = try #require(findings.first { $0["rule"] as? String == "FIELD_WIRE_COMPATIBLE_TYPE" })
        let v1 = try #require(type["v1"] as? [String: Any])
        #expect(v1["file"] as? String == "v1/acme/user.proto")
        #expect(v1["line"] as? Int == 7 && v1["column"] as? Int == 3)
        #expect(v1["element"] as? String == "acme.user.v1.User.created_ms")
    }

    @Test func planWithAnIncompleteEnumMappingReportsPlanFindings() throws {
        let result = try Binaries.run("tandem", ["check", "plan-enum", "--format", "json"], in: Self.compat)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(try json(result.stdout)["findings"] as? [[String: Any]])
        let incomplete = try #require(findings.first { $0["rule"] as? String == "PLAN_ENUM_MAPPING_INCOMPLETE" })
        #expect(incomplete["severity"] as? String == "error")
        #expect(
            (incomplete["message"] as? String)?.contains("tandem.yaml:7: whitelist[1] (state)") == true, "\(incomplete)"
        )
        #expect((incomplete["v2"] as? [String: Any])?["element"] as? String == "acme.account.v2.State.FROZEN")
        #expect((incomplete["v2"] as? [String: Any])?["line"] as? Int == 14)
        let narrowing = try #require(findings.first { $0["rule"] as? String == "PLAN_INTEGER_NARROWING" })
        #expect(narrowing["severity"] as? String == "warning")
    }

    @Test func quietPrintsOnlyErrors() throws {
        let result = try Binaries.run("tandem", ["check", "plan-enum", "--quiet"], in: Self.compat)
        #expect(result.status == 1)
        #expect(result.stdout.contains("PLAN_ENUM_MAPPING_INCOMPLETE"))
        #expect(!result.stdout.contains("Warnings"))
        #expect(!result.stdout.contains("PLAN_INTEGER_NARROWING"))
    }

    @Test(arguments: [
        ["check"],
        ["check", "plan-enum", "--policy", "lenient"],
        ["check", "plan-enum", "--format", "xml"],
        ["check", "--v1", "v1/acme/user.proto"],
        ["check", "plan-enum", "--v1", "v1/acme/user.proto", "--v2", "v2/acme/user.proto"],
        ["check", "plan-enum", "--message", "User"],
        ["check", "--v1", "v1/acme/user.proto", "--v2", "v2/acme/user.proto", "--message", "Nope"],
        ["check", "no-such-plan"],
        ["check", "--no-such-flag"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let result = try Binaries.run("tandem", arguments, in: Self.compat)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func schemaErrorExitsTwoWithFileLineColumn() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tandem-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "syntax = \"proto3\";\nmessage M {\n  int32 a = ;\n}\n".write(
            to: directory.appendingPathComponent("bad.proto"), atomically: true, encoding: .utf8)
        try "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n}\n".write(
            to: directory.appendingPathComponent("good.proto"), atomically: true, encoding: .utf8)
        let result = try Binaries.run("tandem", ["check", "--v1", "good.proto", "--v2", "bad.proto"], in: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.proto:3:13:"), "\(result.stderr)")
    }

    @Test func helpShowsAnExampleAndThePolicyTable() throws {
        let result = try Binaries.run("tandem", ["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("tandem check Migrations/user-profile --policy strict"))
        #expect(result.stdout.contains("FIELD_WIRE_COMPATIBLE_TYPE"))
        #expect(result.stdout.contains("PLAN_ENUM_MAPPING_INCOMPLETE"))
    }
}
