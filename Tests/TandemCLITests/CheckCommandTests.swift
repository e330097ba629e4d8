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

    /// Writes `files` (name -> text) under a new directory.
    private func tree(_ files: [String: String]) throws -> URL { try ProtoTree.write(files) }

    @Test func directoriesAndSeveralFilesAreComparedAsWholeSchemas() throws {
        let header = "syntax = \"proto3\";\npackage acme.v1;\n"
        let root = try tree([
            "old/acme/enums.proto": header + "enum Status { S_UNKNOWN = 0; S_ACTIVE = 1; }\n",
            "old/acme/api.proto": header
                + "message Req { message Inner { int32 a = 1; int32 b = 2; } }\nservice Api { rpc Get(Req) returns (Req); }\n",
            "new/acme/enums.proto": header + "enum Status { S_UNKNOWN = 0; S_ACTIVE = 1; }\n",
            "new/acme/api.proto": header
                + "message Req { message Inner { int32 a = 1; } }\nservice Api { rpc Get(Req) returns (stream Req); }\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        // Directories: every file under each, named from it; a nested type no field reaches and a service compared.
        let whole = try Binaries.run(
            "tandem", ["check", "--v1", "old", "--v2", "new", "--policy", "wire", "--format", "json"], in: root)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        let rules = try (json(whole.stdout)["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules.sorted() == ["FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", "RPC_SAME_SERVER_STREAMING"], "\(rules)")
        // The same files named one by one (several after one --v1, in any order): they pair by name.
        let files = try Binaries.run(
            "tandem",
            [
                "check", "--v1", "old/acme/enums.proto", "old/acme/api.proto", "--v2", "new/acme/api.proto",
                "new/acme/enums.proto", "--policy", "wire", "--format", "json",
            ], in: root)
        #expect(files.status == 1, "\(files.stdout)\(files.stderr)")
        let fileRules = try (json(files.stdout)["findings"] as? [[String: Any]] ?? []).compactMap {
            $0["rule"] as? String
        }
        #expect(fileRules.sorted() == rules.sorted(), "\(fileRules)")
        // A side's files against themselves: clean, including the enum-only file.
        let same = try Binaries.run("tandem", ["check", "--v1", "new", "--v2", "new", "--policy", "strict"], in: root)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        // A directory under an -I root is named from that root, so its imports resolve.
        let nested = try Binaries.run(
            "tandem", ["check", "--v1", "new/acme", "--v2", "new/acme", "-I", "new", "--policy", "strict"], in: root)
        #expect(nested.status == 0, "\(nested.stdout)\(nested.stderr)")
    }

    @Test func aMissingPathExitsThreeAndADirectoryWithoutProtoFilesTwo() throws {
        let root = try tree(["empty/README": "nothing here\n", "a.proto": "syntax = \"proto3\";\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = try Binaries.run("tandem", ["check", "--v1", "a.proto", "--v2", "nope"], in: root)
        #expect(missing.status == 3, "\(missing.stderr)")
        #expect(missing.stderr.contains("nope: no such file or directory (--v2)"), "\(missing.stderr)")
        let empty = try Binaries.run("tandem", ["check", "--v1", "empty", "--v2", "a.proto"], in: root)
        #expect(empty.status == 2, "\(empty.stderr)")
        #expect(empty.stderr.contains("empty: no .proto file under it (--v1)"), "\(empty.stderr)")
    }

    /// The mutant script (issue 20) on a small seeded sample, with this build's tandem: under the `buf_*` policies
    /// Tandem finds what buf finds and nothing else, on googleapis' files and on the editions corpus (whose mutants
    /// also flip features).
    @Test(arguments: ["googleapis", "editions"])
    func theMutantScriptFindsTheBufPoliciesAgreeingWithBuf(corpus: String) throws {
        let figures = FileManager.default.temporaryDirectory.appendingPathComponent("mutants-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: figures) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Oracle.python)
        process.arguments = [
            Oracle.packageRoot.appendingPathComponent("Scripts/check-mutants.py").path, "--count", "40", "--seed",
            "11", "--corpus", corpus, "--tandem", try Binaries.url("tandem").path, "--json", figures.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(printed)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: figures)) as? [String: Any]
        #expect(object?["mutants"] as? Int == 40, "\(printed)")
        let policies = try #require(object?["policies"] as? [String: [String: Any]], "\(printed)")
        for policy in ["buf_wire", "buf_wire_json", "buf_file"] {
            let row = try #require(policies[policy], "\(printed)")
            #expect((row["buf"] as? Int ?? 0) > 0, "\(policy): \(printed)")
            #expect((row["recall"] as? Double ?? 0) >= 0.95, "\(policy): \(printed)")
            #expect((row["precision"] as? Double ?? 0) >= 0.98, "\(policy): \(printed)")
        }
    }

    @Test func helpShowsAnExampleAndThePolicyTable() throws {
        let result = try Binaries.run("tandem", ["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("tandem check Migrations/user-profile --policy strict"))
        #expect(result.stdout.contains("FIELD_WIRE_COMPATIBLE_TYPE"))
        #expect(result.stdout.contains("PLAN_ENUM_MAPPING_INCOMPLETE"))
    }
}
