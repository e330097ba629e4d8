import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// Whole-schema checks against buf (PyPI buf-bin, pinned in `.ci/run`): on a corpus of whole schemas, for the rules
/// each buf category shares with a Tandem policy, Tandem's error-level findings count the same per rule as buf's.
/// The divergences the README documents (a package rename, a type moved to another file) have tests of their own.
@Suite("Whole-schema check parity with buf")
struct BufParityTests {
    /// A v1 and a v2 schema, each a set of files (name -> text).
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// A case of the documented divergences (buf's type table, a type moved to another file): only the `buf_*`
        /// policies are compared with buf on it.
        var divergent = false
        var v1: [String: String]
        var v2: [String: String]
        var testDescription: String { name }
    }

    /// buf's category, the Tandem policy it is compared with, and the rules both report there.
    static let categories: [(String, CompatibilityPolicy, Set<String>)] = [
        (
            "WIRE", .wire,
            Set(rpcRules + ["FIELD_WIRE_COMPATIBLE_TYPE", "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"])
        ),
        (
            "WIRE_JSON", .wireJSON,
            Set(rpcRules + ["FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", "FIELD_NO_DELETE_UNLESS_NAME_RESERVED"])
        ),
        (
            "FILE", .strict,
            Set(
                rpcRules + [
                    "FILE_NO_DELETE", "SERVICE_NO_DELETE", "RPC_NO_DELETE", "MESSAGE_NO_DELETE", "ENUM_NO_DELETE",
                    "FIELD_NO_DELETE", "FIELD_SAME_TYPE", "ENUM_VALUE_NO_DELETE",
                ])
        ),
    ]

    static let rpcRules = [
        "RPC_SAME_REQUEST_TYPE", "RPC_SAME_RESPONSE_TYPE", "RPC_SAME_CLIENT_STREAMING", "RPC_SAME_SERVER_STREAMING",
        "RPC_SAME_IDEMPOTENCY_LEVEL",
    ]

    static func proto3(_ body: String, imports: [String] = []) -> String {
        "syntax = \"proto3\";\npackage acme.v1;\n" + imports.map { "import \"\($0)\";\n" }.joined() + body + "\n"
    }

    static let cases: [Case] = [
        Case(
            name: "nested types no field reaches",
            v1: [
                "acme/a.proto": proto3(
                    "message Outer { message Inner { string a = 1; int32 b = 2; } enum Kind { K_A = 0; K_B = 1; } "
                        + "message Gone { int32 x = 1; } enum GoneKind { G_A = 0; } int32 x = 1; }")
            ],
            v2: [
                "acme/a.proto": proto3(
                    "message Outer { message Inner { string a = 1; } enum Kind { K_A = 0; } int32 x = 1; }")
            ]),
        Case(
            name: "services and methods",
            v1: [
                "acme/a.proto": proto3(
                    "message A { string s = 1; } message B { string s = 1; } "
                        + "service S { rpc Get(A) returns (B); rpc Watch(A) returns (stream B); "
                        + "rpc Upload(stream A) returns (B); rpc Gone(A) returns (B); "
                        + "rpc Idem(A) returns (B) { option idempotency_level = IDEMPOTENT; } } "
                        + "service Dropped { rpc Ping(A) returns (A); }")
            ],
            v2: [
                "acme/a.proto": proto3(
                    "message A { string s = 1; } message B { string s = 1; } "
                        + "service S { rpc Get(B) returns (A); rpc Watch(A) returns (B); "
                        + "rpc Upload(A) returns (stream B); rpc Idem(A) returns (B); }")
            ]),
        Case(
            name: "a field switched to another named type",
            v1: [
                "acme/a.proto": proto3(
                    "message A { int32 x = 1; } message B { string y = 1; } enum E1 { E1_A = 0; } "
                        + "enum E2 { E2_A = 0; E2_B = 1; } message M { A m = 1; E1 e = 2; repeated A r = 3; }")
            ],
            v2: [
                "acme/a.proto": proto3(
                    "message A { int32 x = 1; } message B { string y = 1; } enum E1 { E1_A = 0; } "
                        + "enum E2 { E2_A = 0; E2_B = 1; } message M { B m = 1; E2 e = 2; repeated B r = 3; }")
            ]),
        Case(
            name: "enum-only and service-only files",
            v1: [
                "acme/enums.proto": proto3("enum Status { S_UNKNOWN = 0; S_ACTIVE = 1; S_GONE = 2; }"),
                "acme/messages.proto": proto3("message Req { int32 id = 1; } message Res { int32 id = 1; }"),
                "acme/service.proto": proto3(
                    "service Api { rpc Get(Req) returns (Res); rpc Put(Req) returns (Res); }",
                    imports: ["acme/messages.proto"]),
            ],
            v2: [
                "acme/enums.proto": proto3("enum Status { S_UNKNOWN = 0; S_ACTIVE = 1; }"),
                "acme/messages.proto": proto3("message Req { int32 id = 1; } message Res { int32 id = 1; }"),
                "acme/service.proto": proto3(
                    "service Api { rpc Get(Req) returns (stream Res); }", imports: ["acme/messages.proto"]),
            ]),
        Case(
            name: "an extension-only file kept and a file deleted",
            v1: [
                "acme/base.proto": "syntax = \"proto2\";\npackage acme.v1;\nmessage Base { extensions 100 to 200; "
                    + "optional int32 id = 1; }\n",
                "acme/ext.proto": "syntax = \"proto2\";\npackage acme.v1;\nimport \"acme/base.proto\";\n"
                    + "extend Base { optional string note = 100; }\n",
                "acme/old.proto": proto3("message Old { int32 a = 1; } enum OldKind { O_A = 0; }"),
            ],
            v2: [
                "acme/base.proto": "syntax = \"proto2\";\npackage acme.v1;\nmessage Base { extensions 100 to 200; "
                    + "optional int32 id = 1; }\n",
                "acme/ext.proto": "syntax = \"proto2\";\npackage acme.v1;\nimport \"acme/base.proto\";\n"
                    + "extend Base { optional string note = 100; }\n",
            ]),
        Case(
            name: "type and label changes of every kind", divergent: true,
            v1: [
                "acme/a.proto": proto3(
                    "enum E { E_A = 0; } message N { int32 x = 1; } message M { int32 a = 1; int32 b = 2; "
                        + "uint32 c = 3; sint32 d = 4; fixed32 e = 5; string f = 6; bytes g = 7; E h = 8; N i = 9; "
                        + "int64 j = 10; repeated int32 k = 11; string l = 12; optional int32 m = 13; "
                        + "oneof o { int32 n = 14; } int32 p = 15; map<string, int32> q = 16; bool r = 17; }")
            ],
            v2: [
                "acme/a.proto": proto3(
                    "enum E { E_A = 0; } message N { int32 x = 1; } message M { int64 a = 1; uint32 b = 2; "
                        + "int32 c = 3; sint64 d = 4; sfixed32 e = 5; bytes f = 6; string g = 7; int32 h = 8; "
                        + "bytes i = 9; uint64 j = 10; int32 k = 11; repeated string l = 12; int32 m = 13; "
                        + "int32 n = 14; oneof o2 { int32 p = 15; } map<string, int32> q_renamed = 16; "
                        + "int32 r = 17; }")
            ]),
        Case(
            name: "a message and an enum moved to another file", divergent: true,
            v1: [
                "acme/a.proto": proto3(
                    "message A { int32 x = 1; } message B { int32 y = 1; int32 z = 2; } enum K { K_A = 0; }"),
                "acme/b.proto": proto3("message C { int32 x = 1; }"),
            ],
            v2: [
                "acme/a.proto": proto3("message A { int32 x = 1; }"),
                "acme/b.proto": proto3(
                    "message C { int32 x = 1; } message B { int32 y = 1; } enum K { K_A = 0; }"),
            ]),
        Case(
            name: "extension fields changed, at the top and nested", divergent: true,
            v1: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\nmessage Base { extensions 100 to 200; }\n"
                    + "extend Base { optional string note = 100; optional int32 gone = 101; optional int32 keep = 102; }\n"
                    + "message Scope { extend Base { optional string inner = 110; } }\n"
            ],
            v2: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\nmessage Base { extensions 100 to 200; }\n"
                    + "extend Base { optional int32 note = 100; repeated int32 keep = 102; }\n"
                    + "message Scope { extend Base { optional bytes inner = 110; } }\n"
            ]),
        Case(
            name: "a file with maps and nested messages from proto3 to proto2", divergent: true,
            v1: [
                "acme/a.proto": proto3(
                    "message M { map<string, int32> m = 1; map<int64, M> n = 2; message N { int32 x = 1; } }")
            ],
            v2: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\nmessage M { map<string, int32> m = 1; "
                    + "map<int64, M> n = 2; message N { optional int32 x = 1; } }\n"
            ]),
        Case(
            name: "file options, syntax and generated-code options", divergent: true,
            v1: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\noption go_package = \"a/b\";\n"
                    + "option java_package = \"com.a\";\noption java_multiple_files = true;\n"
                    + "option optimize_for = SPEED;\nmessage M {\n  optional string s = 1 [ctype = CORD];\n"
                    + "  optional int64 n = 2 [jstype = JS_STRING];\n  extensions 100 to 200;\n"
                    + "  option no_standard_descriptor_accessor = false;\n}\nenum E { E_A = 0; E_B = 1; }\n"
            ],
            v2: [
                "acme/a.proto": "syntax = \"proto3\";\npackage acme.v1;\noption go_package = \"a/c\";\n"
                    + "option java_package = \"com.b\";\noption optimize_for = LITE_RUNTIME;\nmessage M {\n"
                    + "  string s = 1 [ctype = STRING];\n  int64 n = 2 [jstype = JS_NUMBER];\n"
                    + "  option no_standard_descriptor_accessor = true;\n}\nenum E { E_A = 0; E_B = 1; }\n"
            ]),
        Case(
            name: "editions features flipped at every level",
            v1: [
                "acme/a.proto": """
                edition = "2023";
                package acme.v1;
                enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
                message Sub { int32 n = 1; }
                message M {
                  int32 explicit_to_implicit = 1;
                  int32 implicit_to_explicit = 2 [features.field_presence = IMPLICIT];
                  int32 to_required = 3;
                  repeated int32 packed_to_expanded = 4;
                  string checked = 5;
                  Sub framed = 6;
                  Kind kind = 7;
                  map<string, string> labels = 8;
                  int32 kept = 9 [features.field_presence = IMPLICIT];
                }
                message J { int32 a = 1; }
                """
            ],
            v2: [
                "acme/a.proto": """
                edition = "2023";
                package acme.v1;
                enum Kind { option features.enum_type = CLOSED; KIND_UNSPECIFIED = 0; KIND_A = 1; }
                message Sub { int32 n = 1; }
                message M {
                  int32 explicit_to_implicit = 1 [features.field_presence = IMPLICIT];
                  int32 implicit_to_explicit = 2;
                  int32 to_required = 3 [features.field_presence = LEGACY_REQUIRED];
                  repeated int32 packed_to_expanded = 4 [features.repeated_field_encoding = EXPANDED];
                  string checked = 5 [features.utf8_validation = NONE];
                  Sub framed = 6 [features.message_encoding = DELIMITED];
                  Kind kind = 7;
                  map<string, string> labels = 8 [features.utf8_validation = NONE];
                  int32 kept = 9 [features.field_presence = IMPLICIT];
                }
                message J { option features.json_format = LEGACY_BEST_EFFORT; int32 a = 1; }
                """
            ]),
        Case(
            name: "proto2 to editions with the same features", divergent: true,
            v1: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\nenum E { E_A = 1; }\nmessage M {\n"
                    + "  optional int32 a = 1;\n  repeated int32 r = 2;\n  optional string s = 3;\n"
                    + "  optional E e = 4;\n  required int32 q = 5;\n  optional group G = 6 { optional int32 x = 1; }\n"
                    + "  optional string c = 7 [ctype = CORD];\n}\n"
            ],
            v2: [
                "acme/a.proto": """
                edition = "2023";
                package acme.v1;
                import "google/protobuf/cpp_features.proto";
                option features.enum_type = CLOSED;
                option features.repeated_field_encoding = EXPANDED;
                option features.utf8_validation = NONE;
                option features.json_format = LEGACY_BEST_EFFORT;
                enum E { E_A = 1; }
                message M {
                  int32 a = 1;
                  repeated int32 r = 2;
                  string s = 3;
                  E e = 4;
                  int32 q = 5 [features.field_presence = LEGACY_REQUIRED];
                  message G { int32 x = 1; }
                  G g = 6 [features.message_encoding = DELIMITED];
                  string c = 7 [features.(pb.cpp).string_type = CORD];
                }
                """
            ]),
        Case(
            name: "proto3 to edition 2024 with language features", divergent: true,
            v1: [
                "acme/a.proto": proto3(
                    "enum E { E_UNSPECIFIED = 0; E_A = 1; }\nmessage M { int32 a = 1; string s = 2; string t = 3; "
                        + "repeated int32 r = 4; E e = 5; map<string, int32> m = 6; }")
            ],
            v2: [
                "acme/a.proto": """
                edition = "2024";
                package acme.v1;
                import option "google/protobuf/java_features.proto";
                option features.field_presence = IMPLICIT;
                enum E { E_UNSPECIFIED = 0; E_A = 1; }
                message M {
                  int32 a = 1;
                  string s = 2 [features.utf8_validation = NONE, features.(pb.java).utf8_validation = VERIFY];
                  string t = 3 [features.utf8_validation = NONE];
                  repeated int32 r = 4;
                  E e = 5;
                  map<string, int32> m = 6;
                }
                """
            ]),
        Case(
            name: "editions to proto2", divergent: true,
            v1: [
                "acme/a.proto": """
                edition = "2023";
                package acme.v1;
                enum E { option features.enum_type = CLOSED; E_A = 0; }
                enum O { O_A = 0; }
                message M { int32 a = 1; E e = 2; O o = 3; }
                """
            ],
            v2: [
                "acme/a.proto": "syntax = \"proto2\";\npackage acme.v1;\nenum E { E_A = 0; }\nenum O { O_A = 0; }\n"
                    + "message M { optional int32 a = 1; optional E e = 2; optional O o = 3; }\n"
            ]),
    ]

    /// Writes `files` under a new directory and returns it.
    static func write(_ files: [String: String]) throws -> URL { try ProtoTree.write(files) }

    static func tandem(_ v1: URL, _ v1Files: [String], _ v2: URL, _ v2Files: [String], policy: CompatibilityPolicy)
        throws -> CompatibilityReport
    {
        let a = CompatibilitySchema(try ProtoCompiler(importPaths: [v1.path]).compile(v1Files.sorted()))
        let b = CompatibilitySchema(try ProtoCompiler(importPaths: [v2.path]).compile(v2Files.sorted()))
        return try CompatibilityChecker(policy: policy).check(v1: a, v2: b, roots: .wholeSchema)
    }

    static func counts(_ ids: [String], in rules: Set<String>) -> [String: Int] {
        ids.filter(rules.contains).reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test(arguments: cases)
    func tandemCountsWhatBufCountsPerRule(_ testCase: Case) throws {
        guard !testCase.divergent else { return }
        let v1 = try Self.write(testCase.v1)
        let v2 = try Self.write(testCase.v2)
        defer {
            try? FileManager.default.removeItem(at: v1)
            try? FileManager.default.removeItem(at: v2)
        }
        var bufTotal = 0
        for (category, policy, rules) in Self.categories {
            let buf = try BufOracle.breaking(v1: v1, v2: v2, category: category)
            let report = try Self.tandem(
                v1, Array(testCase.v1.keys), v2, Array(testCase.v2.keys), policy: policy)
            let ours = report.findings.filter { $0.severity == .error }.map(\.rule.id)
            #expect(
                Self.counts(ours, in: rules) == Self.counts(buf.map(\.type), in: rules),
                "\(testCase.name), buf \(category) vs \(policy): buf \(buf.map(\.type)), ours \(ours)")
            bufTotal += Self.counts(buf.map(\.type), in: rules).values.reduce(0, +)
        }
        #expect(bufTotal > 0, "the case must make buf report something the comparison covers")
    }

    /// Under the `buf_*` policies every finding of buf's category is Tandem's too, and nothing else: per rule, and
    /// where the element exists in v2, at buf's line.
    @Test(arguments: cases)
    func theBufPoliciesReportWhatBufReports(_ testCase: Case) throws {
        let v1 = try Self.write(testCase.v1)
        let v2 = try Self.write(testCase.v2)
        defer {
            try? FileManager.default.removeItem(at: v1)
            try? FileManager.default.removeItem(at: v2)
        }
        for policy in [CompatibilityPolicy.bufWire, .bufWireJSON, .bufFile] {
            let category = try #require(policy.bufCategory)
            let buf = try BufOracle.breaking(v1: v1, v2: v2, category: category)
            let report = try Self.tandem(
                v1, Array(testCase.v1.keys), v2, Array(testCase.v2.keys), policy: policy)
            #expect(report.findings.allSatisfy { $0.severity == .error })
            #expect(
                report.findings.map(\.rule.id).sorted() == buf.map(\.type).sorted(),
                "\(testCase.name) under \(policy)")
            // A finding about an element v2 still has is where buf puts it.
            let bufLines = Set(buf.compactMap { finding in finding.startLine.map { "\(finding.type) \($0)" } })
            for finding in report.findings {
                // buf points at a file's first line when what changed is not written in v2 (an option left out).
                guard let location = finding.v2, location.line > 0, !bufLines.contains("\(finding.rule.id) 1")
                else { continue }
                #expect(
                    bufLines.contains("\(finding.rule.id) \(location.line)"),
                    "\(testCase.name) under \(policy): \(finding.rule.id) at \(location), buf: \(buf)")
            }
        }
    }

    static func bufHas(_ id: String) -> Bool {
        CompatibilityRule.all.first { $0.id == id }?.bufCategories?.isEmpty == false
    }

    /// Every rule buf has, on its trigger and near-miss pairs (``CompatibilityRuleTests/cases``, as whole schemas in
    /// one package): buf reports the rule on the trigger, and the `buf_*` policy of a category holding the rule
    /// reports exactly what buf reports on both pairs.
    @Test(arguments: CompatibilityRuleTests.cases.filter { Self.bufHas($0.rule) })
    func everyBufRuleTriggersInBufAndTheBufPolicyAgrees(_ testCase: CompatibilityRuleTests.Case) throws {
        let rule = try #require(CompatibilityRule.all.first { $0.id == testCase.rule })
        let categories = try #require(rule.bufCategories)
        let policy = try #require(
            [CompatibilityPolicy.bufFile, .bufWireJSON, .bufWire].first { categories.contains($0.bufCategory ?? "") })
        for (pair, trigger) in [(testCase.trigger, true), (testCase.nearMiss, false)] {
            let (v1Files, v2Files) = CompatibilityRuleTests.files(testCase, pair, trigger: trigger)
            let v1 = try Self.write(v1Files)
            let v2 = try Self.write(v2Files)
            defer {
                try? FileManager.default.removeItem(at: v1)
                try? FileManager.default.removeItem(at: v2)
            }
            let buf = try BufOracle.breaking(v1: v1, v2: v2, category: try #require(policy.bufCategory))
            let report = try Self.tandem(v1, Array(v1Files.keys), v2, Array(v2Files.keys), policy: policy)
            if trigger { #expect(buf.contains { $0.type == testCase.rule }, "buf: \(buf.map(\.type))") }
            #expect(
                report.findings.map(\.rule.id).sorted() == buf.map(\.type).sorted(),
                "\(trigger ? "trigger" : "near miss") under \(policy): buf \(buf.map(\.type))")
        }
    }

    @Test(arguments: cases)
    func everySchemaOfTheCorpusCheckedAgainstItselfIsCleanOnBothSides(_ testCase: Case) throws {
        for files in [testCase.v1, testCase.v2] {
            let root = try Self.write(files)
            defer { try? FileManager.default.removeItem(at: root) }
            for (category, _, _) in Self.categories {
                #expect(try BufOracle.breaking(v1: root, v2: root, category: category).isEmpty)
            }
            for policy in CompatibilityPolicy.allCases {
                let report = try Self.tandem(root, Array(files.keys), root, Array(files.keys), policy: policy)
                #expect(report.findings.isEmpty, "\(testCase.name) under \(policy): \(report.findings.map(\.rule.id))")
            }
        }
    }

    /// Documented divergences: a renamed package (the usual v1 -> v2 migration) is reported only under `strict`,
    /// and the types are still compared by their names within the package (buf pairs nothing across the rename);
    /// a message moved to another file is compared where it now is (buf's FILE category reports it deleted).
    @Test func aRenamedPackageAndAMovedMessageAreComparedWhereBufStops() throws {
        let v1 = try Self.write([
            "acme/a.proto": Self.proto3Package("acme.v1", "message A { string s = 1; } message B { int32 n = 2; }")
        ])
        let v2 = try Self.write([
            "acme/a.proto": Self.proto3Package("acme.v2", "message A { string s = 1; }"),
            "acme/b.proto": Self.proto3Package("acme.v2", "message B { }"),
        ])
        defer {
            try? FileManager.default.removeItem(at: v1)
            try? FileManager.default.removeItem(at: v2)
        }
        let bufWire = try BufOracle.breaking(v1: v1, v2: v2, category: "WIRE").map(\.type)
        #expect(bufWire == ["FILE_SAME_PACKAGE"])
        #expect(try BufOracle.breaking(v1: v1, v2: v2, category: "FILE").map(\.type).contains("MESSAGE_NO_DELETE"))

        let wire = try Self.tandem(v1, ["acme/a.proto"], v2, ["acme/a.proto", "acme/b.proto"], policy: .wire)
        #expect(wire.findings.map(\.rule.id) == ["FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"])
        #expect(wire.findings.first?.v1?.element == "acme.v1.B.n")
        let strict = try Self.tandem(v1, ["acme/a.proto"], v2, ["acme/a.proto", "acme/b.proto"], policy: .strict)
        #expect(strict.findings.filter { $0.rule.id == "FILE_SAME_PACKAGE" }.count == 1)
        #expect(!strict.findings.contains { $0.rule.id == "MESSAGE_NO_DELETE" })
    }

    static func proto3Package(_ package: String, _ body: String) -> String {
        "syntax = \"proto3\";\npackage \(package);\n" + body + "\n"
    }

    /// Every googleapis-common-protos file and every well-known type file, checked against itself, is clean,
    /// including files that hold no message (enums, services or extensions only).
    @Test func realSchemasCheckedAgainstThemselvesAreClean() throws {
        let sitePackages = try BufOracle.sitePackages()
        let wkt = sitePackages.appendingPathComponent("grpc_tools/_proto")
        var checked = 0
        for root in [sitePackages, wkt] {
            let google = root.appendingPathComponent("google")
            let walker = FileManager.default.enumerator(atPath: google.path)
            var files: [String] = []
            while let relative = walker?.nextObject() as? String {
                if relative.hasSuffix(".proto") { files.append("google/" + relative) }
            }
            for file in files.sorted() {
                let schema = CompatibilitySchema(try ProtoCompiler(importPaths: [root.path]).compile([file]))
                for policy in CompatibilityPolicy.allCases {
                    let report = try CompatibilityChecker(policy: policy).check(
                        v1: schema, v2: schema, roots: .wholeSchema)
                    #expect(report.findings.isEmpty, "\(file) under \(policy): \(report.findings.map(\.rule.id))")
                }
                checked += 1
            }
        }
        #expect(checked >= 70, "\(checked) files")
    }
}
