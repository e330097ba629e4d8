import TandemProto
import Testing

/// Every rule: a pair of schemas that triggers it, and a near-miss pair that must not.
@Suite("Compatibility rules")
struct CompatibilityRuleTests {
    /// A rule, a (v1, v2) pair that triggers it and a near-miss (v1, v2) pair that does not.
    struct Case: CustomTestStringConvertible, Sendable {
        var rule: String
        var syntax2 = false
        /// Compared as whole schemas (``CompatibilityRoots/wholeSchema``); both sides in package acme.v1 unless
        /// ``renamesPackage`` (the trigger's v2 side only).
        var wholeSchema = false
        var renamesPackage = false
        /// A second file, `acme/extra.proto`, on the trigger's v1 side and v2 side (whole schemas only); the near
        /// miss has the v1 one on both sides.
        var extraFiles: (String?, String?) = (nil, nil)
        /// The policy the trigger must report the rule under (buf's generated-code rules are off under Tandem's).
        var policy = CompatibilityPolicy.strict
        var trigger: (String, String)
        var nearMiss: (String, String)
        /// The trigger's v2 side (whole schemas only) is proto2 and its v1 side proto3 (the near miss is proto3 on
        /// both sides, or proto2 with ``syntax2``).
        var changesSyntax = false
        var testDescription: String { rule }
    }

    static let cases: [Case] =
        [
            Case(
                rule: "FIELD_NO_DELETE",
                trigger: (
                    "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; reserved \"b\"; }"
                ),
                nearMiss: ("message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; int32 b = 2; }")),
            Case(
                rule: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
                trigger: ("message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved \"b\"; }"),
                nearMiss: ("message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; }")),
            Case(
                rule: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
                trigger: ("message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; }"),
                nearMiss: ("message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved \"b\"; }")),
            Case(
                rule: "FIELD_SAME_TYPE",
                trigger: ("message M { int32 a = 1; }", "message M { int64 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int32 a = 1 [deprecated = true]; }")),
            Case(
                rule: "FIELD_WIRE_COMPATIBLE_TYPE",
                trigger: ("message M { int32 a = 1; }", "message M { string a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int64 a = 1; }")),
            Case(
                rule: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
                trigger: ("message M { int32 a = 1; }", "message M { int64 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { sint32 a = 1; }")),
            Case(
                rule: "FIELD_SAME_CARDINALITY",
                trigger: ("message M { string a = 1; }", "message M { repeated string a = 1; }"),
                nearMiss: ("message M { string a = 1; }", "message M { optional string a = 1; }")),
            Case(
                rule: "FIELD_WIRE_COMPATIBLE_CARDINALITY",
                trigger: ("message M { int32 a = 1; }", "message M { repeated int32 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { repeated int32 a = 1 [packed = false]; }")),
            Case(
                rule: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
                trigger: ("message M { string a = 1; }", "message M { repeated string a = 1; }"),
                nearMiss: ("message M { repeated string a = 1; }", "message M { repeated string a = 1; }")),
            Case(
                rule: "FIELD_SAME_ONEOF",
                trigger: (
                    "message M { int32 a = 1; oneof o { int32 b = 2; } }",
                    "message M { oneof o { int32 a = 1; int32 b = 2; } }"
                ),
                nearMiss: ("message M { int32 a = 1; }", "message M { oneof o { int32 a = 1; } }")),
            Case(
                rule: "FIELD_MOVED_INTO_NEW_ONEOF",
                trigger: ("message M { int32 a = 1; }", "message M { oneof o { int32 a = 1; } }"),
                nearMiss: (
                    "message M { int32 a = 1; oneof o { int32 b = 2; } }",
                    "message M { oneof o { int32 a = 1; int32 b = 2; } }"
                )),
            Case(
                rule: "FIELD_SAME_JSON_NAME",
                trigger: ("message M { int32 a = 1; }", "message M { int32 a = 1 [json_name = \"x\"]; }"),
                nearMiss: (
                    "message M { int32 user_id = 1; }", "message M { int32 user_id = 1 [json_name = \"userId\"]; }"
                )),
            Case(
                rule: "FIELD_SAME_NAME",
                trigger: ("message M { int32 a = 1; }", "message M { int32 b = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int32 a = 1 [json_name = \"b\"]; }")),
            Case(
                rule: "FIELD_SAME_DEFAULT", syntax2: true,
                trigger: (
                    "message M { optional int32 a = 1 [default = 5]; }",
                    "message M { optional int32 a = 1 [default = 6]; }"
                ),
                nearMiss: (
                    "message M { optional int32 a = 1 [default = 5]; }",
                    "message M { optional int32 a = 1 [default = 5]; }"
                )),
            // An enum's unset value is its declared default or first value, compared by number: a first value that
            // moved from 1 to 0 is a changed default; a default renamed with its number kept is not.
            Case(
                rule: "FIELD_SAME_DEFAULT", syntax2: true,
                trigger: (
                    "enum E { E_A = 1; E_B = 2; } message M { optional E e = 1; }",
                    "enum E { E_UNSET = 0; E_A = 1; E_B = 2; } message M { optional E e = 1; }"
                ),
                nearMiss: (
                    "enum E { E_A = 1; E_B = 2; } message M { optional E e = 1 [default = E_B]; }",
                    "enum E { E_UNSET = 0; E_A = 1; E_TWO = 2; } message M { optional E e = 1 [default = E_TWO]; }"
                )),
            Case(
                rule: "FIELD_SAME_PRESENCE",
                trigger: ("message M { int32 a = 1; }", "message M { optional int32 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { oneof o { int32 a = 1; } }")),
            Case(
                rule: "FIELD_NUMBER_REUSED",
                trigger: ("message M { int32 a = 1; }", "message M { string b = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int64 b = 1; }")),
            Case(
                rule: "MESSAGE_NO_DELETE",
                trigger: ("message M { message N { int32 x = 1; } }", "message M { }"),
                nearMiss: ("message M { message N { int32 x = 1; } }", "message M { message N { int64 x = 1; } }")),
            Case(
                rule: "MESSAGE_SAME_REQUIRED_FIELDS", syntax2: true,
                trigger: ("message M { optional int32 a = 1; }", "message M { required int32 a = 1; }"),
                nearMiss: ("message M { required int32 a = 1; }", "message M { required int32 a = 1; }")),
            Case(
                rule: "ENUM_NO_DELETE",
                trigger: ("enum E { E_UNSPECIFIED = 0; } message M { }", "message M { }"),
                nearMiss: (
                    "enum E { E_UNSPECIFIED = 0; } message M { }",
                    "enum E { E_UNSPECIFIED = 0; E_ON = 1; } message M { }"
                )),
            Case(
                rule: "ENUM_VALUE_NO_DELETE",
                trigger: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; reserved 1; reserved \"B\"; } message M { E e = 1; }"
                ),
                nearMiss: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; B = 1; C = 2; } message M { E e = 1; }"
                )),
            Case(
                rule: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
                trigger: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; reserved \"B\"; } message M { E e = 1; }"
                ),
                nearMiss: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; reserved 1; } message M { E e = 1; }"
                )),
            Case(
                rule: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
                trigger: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; reserved 1; } message M { E e = 1; }"
                ),
                nearMiss: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { A = 0; reserved \"B\"; } message M { E e = 1; }"
                )),
            Case(
                rule: "ENUM_VALUE_SAME_NAME",
                trigger: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }", "enum E { A = 0; C = 1; } message M { E e = 1; }"
                ),
                nearMiss: (
                    "enum E { A = 0; B = 1; } message M { E e = 1; }",
                    "enum E { option allow_alias = true; A = 0; B = 1; C = 1; } message M { E e = 1; }"
                )),
            Case(
                rule: "RESERVED_MESSAGE_NO_DELETE",
                trigger: ("message M { reserved 5, 9; }", "message M { reserved 9; }"),
                nearMiss: ("message M { reserved 5, 9; }", "message M { reserved 4 to 9; }")),
            Case(
                rule: "RESERVED_ENUM_NO_DELETE",
                trigger: (
                    "enum E { A = 0; reserved 5; } message M { E e = 1; }", "enum E { A = 0; } message M { E e = 1; }"
                ),
                nearMiss: (
                    "enum E { A = 0; reserved 5; } message M { E e = 1; }",
                    "enum E { A = 0; reserved 4 to 6; } message M { E e = 1; }"
                )),
            Case(
                rule: "RESERVED_REUSED",
                trigger: ("message M { reserved 2; }", "message M { int32 c = 2; }"),
                nearMiss: ("message M { reserved 2; }", "message M { int32 c = 3; reserved 2; }")),
            Case(
                rule: "ONEOF_NO_DELETE",
                trigger: ("message M { oneof o { int32 a = 1; } }", "message M { int32 a = 1; }"),
                nearMiss: (
                    "message M { oneof o { int32 a = 1; } }", "message M { oneof o { int32 a = 1; int32 b = 2; } }"
                )),
            Case(
                rule: "FILE_NO_DELETE", wholeSchema: true, extraFiles: ("message X { int32 a = 1; }", nil),
                // X moved into the other file: only the file is gone.
                trigger: ("message M { int32 a = 1; }", "message M { int32 a = 1; } message X { int32 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int32 a = 1; }")),
            Case(
                rule: "FILE_SAME_PACKAGE", wholeSchema: true, renamesPackage: true,
                trigger: ("message M { int32 a = 1; }", "message M { int32 a = 1; }"),
                nearMiss: ("message M { int32 a = 1; }", "message M { int32 a = 1; }")),
            Case(
                rule: "SERVICE_NO_DELETE", wholeSchema: true,
                trigger: ("message M {} service S { rpc Get(M) returns (M); }", "message M {}"),
                nearMiss: (
                    "message M {} service S { rpc Get(M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (M); }"
                )),
            Case(
                rule: "RPC_NO_DELETE", wholeSchema: true,
                trigger: (
                    "message M {} service S { rpc Get(M) returns (M); rpc Put(M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (M); }"
                ),
                nearMiss: (
                    "message M {} service S { rpc Get(M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (M); rpc Put(M) returns (M); }"
                )),
            Case(
                rule: "RPC_SAME_REQUEST_TYPE", wholeSchema: true,
                trigger: (
                    "message M {} message N {} service S { rpc Get(M) returns (M); }",
                    "message M {} message N {} service S { rpc Get(N) returns (M); }"
                ),
                nearMiss: (
                    "message M {} message N {} service S { rpc Get(M) returns (M); }",
                    "message M {} message N {} service S { rpc Get(M) returns (N); }"
                )),
            Case(
                rule: "RPC_SAME_RESPONSE_TYPE", wholeSchema: true,
                trigger: (
                    "message M {} message N {} service S { rpc Get(M) returns (M); }",
                    "message M {} message N {} service S { rpc Get(M) returns (N); }"
                ),
                nearMiss: (
                    "message M {} message N {} service S { rpc Get(M) returns (M); }",
                    "message M {} message N {} service S { rpc Get(N) returns (M); }"
                )),
            Case(
                rule: "RPC_SAME_CLIENT_STREAMING", wholeSchema: true,
                trigger: (
                    "message M {} service S { rpc Get(M) returns (M); }",
                    "message M {} service S { rpc Get(stream M) returns (M); }"
                ),
                nearMiss: (
                    "message M {} service S { rpc Get(M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (stream M); }"
                )),
            Case(
                rule: "RPC_SAME_SERVER_STREAMING", wholeSchema: true,
                trigger: (
                    "message M {} service S { rpc Get(M) returns (stream M); }",
                    "message M {} service S { rpc Get(M) returns (M); }"
                ),
                nearMiss: (
                    "message M {} service S { rpc Get(stream M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (M); }"
                )),
            Case(
                rule: "RPC_SAME_IDEMPOTENCY_LEVEL", wholeSchema: true,
                trigger: (
                    "message M {} service S { rpc Get(M) returns (M); }",
                    "message M {} service S { rpc Get(M) returns (M) { option idempotency_level = NO_SIDE_EFFECTS; } }"
                ),
                nearMiss: (
                    "message M {} service S { rpc Get(M) returns (M) { option idempotency_level = IDEMPOTENT; } }",
                    "message M {} service S { rpc Get(M) returns (M) { option idempotency_level = IDEMPOTENT; } }"
                )),
            Case(
                rule: "FILE_SAME_SYNTAX", wholeSchema: true, policy: .bufFile,
                trigger: ("message M { optional int32 a = 1; }", "message M { optional int32 a = 1; }"),
                nearMiss: ("message M { optional int32 a = 1; }", "message M { optional int32 a = 1; }"),
                changesSyntax: true),
            Case(
                rule: "ENUM_SAME_TYPE", wholeSchema: true, policy: .bufFile,
                trigger: ("enum E { E_A = 0; }", "enum E { E_A = 0; }"),
                nearMiss: ("enum E { E_A = 0; }", "enum E { E_A = 0; E_B = 1; }"), changesSyntax: true),
            Case(
                rule: "EXTENSION_MESSAGE_NO_DELETE", syntax2: true, policy: .bufFile,
                trigger: ("message M { extensions 100 to 200; }", "message M { extensions 100 to 150; }"),
                nearMiss: (
                    "message M { extensions 100 to 200; }",
                    "message M { extensions 100 to 150; extensions 151 to 300; }"
                )),
            Case(
                rule: "FIELD_SAME_CPP_STRING_TYPE", policy: .bufFile,
                trigger: ("message M { string s = 1; }", "message M { string s = 1 [ctype = CORD]; }"),
                nearMiss: ("message M { string s = 1; }", "message M { string s = 1 [ctype = STRING]; }")),
            Case(
                rule: "FIELD_SAME_JSTYPE", policy: .bufFile,
                trigger: ("message M { int64 n = 1; }", "message M { int64 n = 1 [jstype = JS_STRING]; }"),
                nearMiss: ("message M { int64 n = 1; }", "message M { int64 n = 1 [jstype = JS_NORMAL]; }")),
            Case(
                rule: "FIELD_SAME_UTF8_VALIDATION", wholeSchema: true, policy: .bufFile,
                trigger: ("message M { optional string s = 1; }", "message M { optional string s = 1; }"),
                nearMiss: ("message M { optional bytes s = 1; }", "message M { optional bytes s = 1; }"),
                changesSyntax: true),
            Case(
                rule: "FIELD_SAME_JAVA_UTF8_VALIDATION", wholeSchema: true, policy: .bufFile,
                trigger: ("message M { optional string s = 1; }", "message M { optional string s = 1; }"),
                nearMiss: ("message M { optional int32 s = 1; }", "message M { optional int32 s = 1; }"),
                changesSyntax: true),
            Case(
                rule: "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR", policy: .bufFile,
                trigger: ("message M { int32 a = 1; }", "message M { option no_standard_descriptor_accessor = true; }"),
                nearMiss: (
                    "message M { option no_standard_descriptor_accessor = true; }", "message M { int32 a = 1; }"
                )),
            Case(
                rule: "MESSAGE_SAME_JSON_FORMAT", wholeSchema: true, policy: .bufWireJSON,
                trigger: ("message M { optional int32 a = 1; }", "message M { optional int32 a = 1; }"),
                nearMiss: ("message M { optional int32 a = 1; }", "message M { optional int32 a = 1; }"),
                changesSyntax: true),
            Case(
                rule: "ENUM_SAME_JSON_FORMAT", wholeSchema: true, policy: .bufWireJSON,
                trigger: ("enum E { E_A = 0; }", "enum E { E_A = 0; }"),
                nearMiss: ("enum E { E_A = 0; }", "enum E { E_A = 0; }"), changesSyntax: true),
        ] + fileOptionCases

    /// One case per file option buf's FILE category keeps: the option set in v2 only (bools turned to the
    /// non-default value).
    static var fileOptionCases: [Case] {
        CompatibilityRule.fileSameOption.map { rule in
            let option = rule.id.dropFirst("FILE_SAME_".count).lowercased()
            let value: String
            switch option {
            case "cc_enable_arenas": value = "false"
            case "optimize_for": value = "CODE_SIZE"
            case let name where name.hasSuffix("_services") || name == "java_multiple_files": value = "true"
            default: value = "\"x\""
            }
            return Case(
                rule: rule.id, wholeSchema: true, policy: .bufFile,
                trigger: ("message M {}", "option \(option) = \(value);\nmessage M {}"),
                nearMiss: ("option \(option) = \(value);\nmessage M {}", "option \(option) = \(value);\nmessage M {}"))
        }
    }

    private func run(_ testCase: Case, _ pair: (String, String), trigger: Bool) throws -> CompatibilityReport {
        if testCase.wholeSchema {
            let (v1, v2) = Self.files(testCase, pair, trigger: trigger)
            return try CompatibilityFixture.check(files: v1, v2, policy: testCase.policy)
        }
        let (v1, v2) =
            testCase.syntax2
            ? (CompatibilityFixture.proto2(pair.0, version: "v1"), CompatibilityFixture.proto2(pair.1, version: "v2"))
            : (CompatibilityFixture.proto3(pair.0, version: "v1"), CompatibilityFixture.proto3(pair.1, version: "v2"))
        return try CompatibilityFixture.check(v1, v2, policy: testCase.policy)
    }

    /// A case's pair as two whole schemas (name -> text): `acme/user.proto` on each side, in package acme.v1 (the
    /// trigger's v2 in acme.v2 with ``Case/renamesPackage``), and `acme/extra.proto` as ``Case/extraFiles`` says.
    static func files(_ testCase: Case, _ pair: (String, String), trigger: Bool) -> ([String: String], [String: String])
    {
        func text(_ body: String, _ version: String, proto2: Bool) -> String {
            proto2
                ? CompatibilityFixture.proto2(body, version: version)
                : CompatibilityFixture.proto3(body, version: version)
        }
        func side(_ body: String, _ extra: String?, _ version: String) -> [String: String] {
            var files = ["acme/user.proto": text(body, version, proto2: testCase.syntax2)]
            if let extra { files["acme/extra.proto"] = CompatibilityFixture.proto3(extra, version: version) }
            return files
        }
        let v2Version = testCase.renamesPackage && trigger ? "v2" : "v1"
        let v2Extra = trigger ? testCase.extraFiles.1 : testCase.extraFiles.0
        var v2Files = side(pair.1, v2Extra, v2Version)
        if testCase.changesSyntax && trigger {
            v2Files["acme/user.proto"] = CompatibilityFixture.proto2(pair.1, version: v2Version)
        }
        return (side(pair.0, testCase.extraFiles.0, "v1"), v2Files)
    }

    @Test(arguments: cases)
    func triggerPairReportsTheRule(_ testCase: Case) throws {
        let report = try run(testCase, testCase.trigger, trigger: true)
        #expect(report.ruleIDs.contains(testCase.rule), "\(report.ruleIDs)")
        let finding = try #require(report.findings.first { $0.rule.id == testCase.rule })
        #expect(!finding.message.isEmpty)
        #expect(finding.v1 != nil || finding.v2 != nil)
    }

    @Test(arguments: cases)
    func nearMissPairDoesNotReportTheRule(_ testCase: Case) throws {
        let report = try run(testCase, testCase.nearMiss, trigger: false)
        #expect(!report.ruleIDs.contains(testCase.rule), "\(report.ruleIDs)")
    }

    @Test func everyRuleHasATriggerCase() {
        #expect(Set(CompatibilityRule.all.map(\.id)) == Set(Self.cases.map(\.rule)))
    }
}
