import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// A proto2 plan that whitelists extension fields (issue 26): named as protobuf's text format names them, at the
/// top, in a message's scope, inside a copied sub-message and at the end of a `from` path; replayed with exact
/// verdicts, and with what the legacy writer sent beyond the v1 schema counted per field.
@Suite("Extensions in plans", .serialized)
struct ExtensionPlanTests {
    static let v1 = """
        syntax = "proto2";
        package acme;
        message Address { optional string city = 1; extensions 100 to 199; }
        message Rec {
          optional string id = 1;
          optional Address address = 2;
          optional string plus_code = 3;
          extensions 100 to 199;
        }
        extend Rec { optional string note = 100; }
        extend Address { optional string plus_code = 100; }
        message Scope { extend Rec { optional int32 rank = 101; } }
        """
    static let v2 = """
        syntax = "proto2";
        package acme;
        message Address { optional string city = 1; optional string zip = 2; extensions 100 to 199; }
        message Rec { optional string id = 1; optional Address address = 2; optional string title = 4; extensions 100 to 199; }
        extend Rec { optional string note = 100; }
        extend Address { optional string plus_code = 100; }
        message Scope { extend Rec { optional int32 rank = 101; } }
        """
    static let yaml = """
        name: extensions
        v1: { proto: v1.proto, message: acme.Rec }
        v2: { proto: v2.proto, message: acme.Rec }
        key: id
        whitelist:
          - field: id
          - field: address                    # copied whole: its extension [acme.plus_code] too
          - field: "[acme.note]"              # an extension of the record
          - field: "[acme.Scope.rank]"        # an extension declared in a message's scope
          - field: plus_code                  # a plain field fed from an extension inside a sub-message
            from: "address.[acme.plus_code]"
        redact: ["[acme.note]"]
        gate: { min_consistency: 0.9999, min_samples: 1 }
        """

    static func plan() throws -> URL {
        try ProtoTree.write(["plan/v1.proto": v1, "plan/v2.proto": v2, "plan/tandem.yaml": yaml])
            .appendingPathComponent("plan")
    }

    /// The legacy v1 bytes of `json` (with extension members), with `extra` appended (unknown fields).
    static func legacy(_ json: String, extra: [UInt8] = [], in plan: URL) throws -> String {
        let schema = try ProtoCompiler(importPaths: [plan.path]).compile(["v1.proto"]).schema()
        let message = try #require(schema.message(named: "acme.Rec"))
        let bytes = try DynamicMessage(jsonString: json, descriptor: message, schema: schema).serializedBytes()
        return Data(bytes + extra).base64EncodedString()
    }

    @Test func extensionsReplayWithExactVerdictsAtTheirBracketedPaths() throws {
        let plan = try Self.plan()
        let root = plan.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: root) }
        func v2(_ key: String, note: String, code: String, rank: Int) -> String {
            #"{"id":"\#(key)","address":{"city":"Oslo","[acme.plus_code]":"\#(code)"},"[acme.note]":"\#(note)","[acme.Scope.rank]":\#(rank),"title":"t"}"#
        }
        func v1(_ key: String, note: String, code: String, rank: Int) -> String {
            #"{"id":"\#(key)","address":{"city":"Oslo","[acme.plus_code]":"\#(code)"},"[acme.note]":"\#(note)","[acme.Scope.rank]":\#(rank),"plusCode":"\#(code)"}"#
        }
        let traffic =
            [
                // Equal, given as v1 JSON with extensions.
                #"{"op":"write","key":"k1","v2_json":\#(v2("k1", note: "n", code: "9FFW", rank: 3)),"v1_json":\#(v1("k1", note: "n", code: "9FFW", rank: 3))}"#,
                // The legacy writer's note differs: one diff at [acme.note].
                #"{"op":"write","key":"k2","v2_json":\#(v2("k2", note: "n", code: "9FFW", rank: 3)),"v1_json":\#(v1("k2", note: "old", code: "9FFW", rank: 3))}"#,
                // Its extension inside the address differs, so does the field fed from it.
                #"{"op":"write","key":"k3","v2_json":\#(v2("k3", note: "n", code: "9FFW", rank: 3)),"v1_json":\#(v1("k3", note: "n", code: "8GGX", rank: 3))}"#,
                // Equal, with unknown fields: 77 at the top and 88 inside the address (as bytes).
                #"{"op":"write","key":"k4","v2_json":\#(v2("k4", note: "n", code: "9FFW", rank: 4)),"v1":"\#(try Self.legacy(v1("k4", note: "n", code: "9FFW", rank: 4), extra: [0xE8, 0x04, 0x01, 0x12, 0x03, 0xC0, 0x05, 0x02], in: plan))"}"#,
                // No legacy payload: the shadow is the projection.
                #"{"op":"write","key":"k5","v2_json":\#(v2("k5", note: "m", code: "7HHY", rank: 5))}"#,
            ] + (1...5).map { #"{"op":"read","key":"k\#($0)"}"# }
        let trafficURL = root.appendingPathComponent("traffic.jsonl")
        try CLITest.write(traffic, to: trafficURL)
        let reportURL = root.appendingPathComponent("report.json")
        let result = try Binaries.run(
            "tandem", ["replay", plan.path, "--traffic", trafficURL.path, "--report", reportURL.path, "--quiet"])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try CLITest.report(reportURL)
        #expect(report["totals"]?["compared"]?.int64Value == 5)
        #expect(report["totals"]?["mismatched"]?.int64Value == 2)
        #expect(report["totals"]?["bad_lines"]?.int64Value == 0)
        var diffs: [String: [String]] = [:]
        var index = 0
        while let mismatch = report["mismatches"]?[index] {
            var paths: [String] = []
            var d = 0
            while let diff = mismatch["diffs"]?[d] {
                paths.append("\(diff["path"]?.stringValue ?? "?") \(diff["kind"]?.stringValue ?? "?")")
                d += 1
            }
            diffs[mismatch["key"]?.stringValue ?? "?"] = paths.sorted()
            index += 1
        }
        #expect(diffs["k2"] == ["[acme.note] changed"])
        #expect(diffs["k3"] == ["address.[acme.plus_code] changed", "plus_code changed"])
        // A redacted extension shows as its token, never its value.
        let text = String(decoding: try Data(contentsOf: reportURL), as: UTF8.self)
        #expect(!text.contains("\"old\""))
        #expect(text.contains("redacted:"))
        // Mismatch groups keep an extension's name (only indices and map keys become [*]).
        var groups: [String] = []
        index = 0
        while let group = report["fields"]?[index] {
            groups.append(group["path"]?.stringValue ?? "?")
            index += 1
        }
        #expect(groups.sorted() == ["[acme.note]", "address.[acme.plus_code]", "plus_code"])
        // What the legacy writer sent beyond the schema: counted per field, never a mismatch.
        #expect(report["totals"]?["unknown_fields"]?.int64Value == 2)
        #expect(report["legacy_unknown_fields"]?[0]?["path"]?.stringValue == "77")
        #expect(report["legacy_unknown_fields"]?[1]?["path"]?.stringValue == "address.88")
        #expect(report["legacy_unknown_fields"]?[1]?["number"]?.int64Value == 88)
    }

    @Test func anExtensionPathThatDoesNotResolveNamesTheEntry() throws {
        let plan = try Self.plan()
        defer { try? FileManager.default.removeItem(at: plan.deletingLastPathComponent()) }
        let yaml = plan.appendingPathComponent("tandem.yaml")
        try Self.yaml.replacingOccurrences(of: #""[acme.Scope.rank]""#, with: #""[acme.rank]""#)
            .write(to: yaml, atomically: true, encoding: .utf8)
        let result = try Binaries.run("tandem", ["check", plan.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("[acme.rank]"), "\(result.stderr)")
        #expect(result.stderr.contains("tandem.yaml"), "\(result.stderr)")
    }
}
