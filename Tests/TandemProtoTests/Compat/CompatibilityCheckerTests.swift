import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// Policies, traversal, locations and the JSON contract of the compatibility checker.
@Suite("Compatibility checker")
struct CompatibilityCheckerTests {
    static let widened = ("message M { int32 a = 1; }", "message M { int64 a = 1; }")

    @Test func int32ToInt64IsNoErrorUnderWireButAnErrorUnderStrict() throws {
        let wire = try CompatibilityFixture.check3(Self.widened.0, Self.widened.1, policy: .wire)
        #expect(wire.errorCount == 0 && wire.passed)
        #expect(wire.ruleIDs == ["FIELD_WIRE_JSON_COMPATIBLE_TYPE"])
        #expect(wire.findings.first?.severity == .warning)
        let wireJSON = try CompatibilityFixture.check3(Self.widened.0, Self.widened.1, policy: .wireJSON)
        #expect(!wireJSON.passed)
        #expect(wireJSON.ruleIDs == ["FIELD_WIRE_JSON_COMPATIBLE_TYPE"])
        let strict = try CompatibilityFixture.check3(Self.widened.0, Self.widened.1, policy: .strict)
        #expect(Set(strict.ruleIDs) == ["FIELD_SAME_TYPE", "FIELD_WIRE_JSON_COMPATIBLE_TYPE"])
        #expect(strict.errorCount == 2)
    }

    @Test func int32ToInt64MessageSaysWhatV1ReadersDo() throws {
        let report = try CompatibilityFixture.check3(Self.widened.0, Self.widened.1, policy: .wire)
        let message = try #require(report.findings.first?.message)
        #expect(
            message.contains(
                "v1 readers decode field 1 (int64 in v2) as int32 and truncate values outside -2^31 to 2^31 - 1"),
            "\(message)")
    }

    @Test func deletedFieldWithReservedNumberPassesTheReservedRuleButNotFieldNoDelete() throws {
        let report = try CompatibilityFixture.check3(
            "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; reserved \"b\"; }")
        #expect(report.ruleIDs == ["FIELD_NO_DELETE"])
        let wire = try CompatibilityFixture.check3(
            "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; reserved 2; }", policy: .wire)
        #expect(wire.findings.isEmpty, "\(wire.ruleIDs)")
        let unreserved = try CompatibilityFixture.check3(
            "message M { int32 a = 1; int32 b = 2; }", "message M { int32 a = 1; }", policy: .wire)
        #expect(unreserved.ruleIDs == ["FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"])
        #expect(unreserved.findings.first?.v2 == nil)
    }

    @Test(arguments: [CompatibilityPolicy.wire, .wireJSON, .strict])
    func protobufDevConditionalChangesAreWarningsOnlyUnderWire(policy: CompatibilityPolicy) throws {
        let pairs = [
            ("enum E { A = 0; } message M { E e = 1; }", "enum E { A = 0; } message M { int32 e = 1; }"),
            (
                "message S { int32 x = 1; } message M { S s = 1; }",
                "message S { int32 x = 1; } message M { bytes s = 1; }"
            ),
            ("message M { string s = 1; }", "message M { bytes s = 1; }"),
            ("message M { string s = 1; }", "message M { repeated string s = 1; }"),
        ]
        for (v1, v2) in pairs {
            let report = try CompatibilityFixture.check3(v1, v2, policy: policy)
            let relevant = report.findings.filter { $0.rule.id.hasPrefix("FIELD_WIRE") }
            #expect(relevant.count == 1, "\(v2): \(report.ruleIDs)")
            #expect(relevant.first?.severity == (policy == .wire ? .warning : .error), "\(v2)")
        }
    }

    @Test func packedScalarToSingularIsAWireError() throws {
        let report = try CompatibilityFixture.check3(
            "message M { repeated int64 ids = 1; }", "message M { int64 ids = 1; }", policy: .wire)
        #expect(report.ruleIDs == ["FIELD_WIRE_COMPATIBLE_CARDINALITY"])
        #expect(report.findings.first?.message.contains("v2 readers do not accept the packed form") == true)
    }

    @Test func classicNumberReuseIsReportedAtBothNumbers() throws {
        let v1 = CompatibilityFixture.proto3("message User {\n  int64 created_ms = 3;\n}\n", version: "v1")
        let v2 = CompatibilityFixture.proto3("message User {\n  string nickname = 3;\n}\n", version: "v2")
        let report = try CompatibilityFixture.check(v1, v2, policy: .wire)
        #expect(report.ruleIDs == ["FIELD_WIRE_COMPATIBLE_TYPE", "FIELD_NUMBER_REUSED"])
        let reuse = try #require(report.findings.first { $0.rule == .fieldNumberReused })
        #expect(
            reuse.v1
                == FindingLocation(file: "acme/user.proto", line: 4, column: 22, element: "acme.v1.User.created_ms"))
        #expect(
            reuse.v2 == FindingLocation(file: "acme/user.proto", line: 4, column: 21, element: "acme.v2.User.nickname"))
        let type = try #require(report.findings.first { $0.rule == .fieldWireCompatibleType })
        #expect(type.v1?.line == 4 && type.v1?.column == 3)
        #expect(type.severity == .error)
    }

    @Test func locationsPointAtTheDeclarationAndNullWhereTheElementIsGone() throws {
        let v1 = CompatibilityFixture.proto3(
            "message User {\n  string id = 1;\n  Status status = 2;\n}\nenum Status {\n  UNKNOWN = 0;\n    ACTIVE = 1;\n}\n",
            version: "v1")
        let v2 = CompatibilityFixture.proto3(
            "message User {\n  string id = 1;\n  Status status = 2;\n}\nenum Status {\n  UNKNOWN = 0;\n}\n",
            version: "v2")
        let report = try CompatibilityFixture.check(v1, v2, policy: .strict)
        let deleted = try #require(report.findings.first { $0.rule == .enumValueNoDelete })
        #expect(
            deleted.v1 == FindingLocation(file: "acme/user.proto", line: 9, column: 5, element: "acme.v1.Status.ACTIVE")
        )
        #expect(deleted.v2 == nil)
        #expect(deleted.message.contains("v2 readers keep 1 as an unknown value"))
    }

    @Test func comparisonFollowsFieldsIntoNestedTypesAndStopsOnCycles() throws {
        let body = { (leaf: String) in
            "message Node { Node child = 1; Leaf leaf = 2; map<string, Leaf> more = 3; }\nmessage Leaf { \(leaf) x = 1; }\n"
        }
        let report = try CompatibilityFixture.check(
            CompatibilityFixture.proto3(body("int32"), version: "v1"),
            CompatibilityFixture.proto3(body("string"), version: "v2"), policy: .wire, roots: .named("Node"))
        #expect(report.ruleIDs == ["FIELD_WIRE_COMPATIBLE_TYPE"])
        #expect(report.findings.first?.v1?.element == "acme.v1.Leaf.x")
        #expect(report.findings.first?.v2?.element == "acme.v2.Leaf.x")
    }

    @Test func aFieldSwitchedToAnotherNamedTypeIsFlaggedAndTheTwoTypesAreNotComparedMemberByMember() throws {
        // As buf: another message or enum type is wire-incompatible whatever its members; comparing A with B member
        // by member would report their names (FIELD_SAME_NAME, ENUM_VALUE_SAME_NAME) as if one had been renamed.
        for policy in [CompatibilityPolicy.wire, .wireJSON, .strict] {
            let report = try CompatibilityFixture.check3(
                "message M { A a = 1; E e = 2; } message A { int32 x = 1; } enum E { E_A = 0; }",
                "message M { B a = 1; F e = 2; } message B { int32 y = 1; } message A { int32 x = 1; } "
                    + "enum E { E_A = 0; } enum F { F_A = 0; }", policy: policy)
            #expect(
                report.findings.filter { $0.rule == .fieldWireCompatibleType }.map { $0.v2?.element }
                    == ["acme.v2.M.a", "acme.v2.M.e"], "\(policy)")
            #expect(!report.ruleIDs.contains("FIELD_SAME_NAME") && !report.ruleIDs.contains("ENUM_VALUE_SAME_NAME"))
            #expect(report.ruleIDs.contains("FIELD_SAME_TYPE") == (policy == .strict))
        }
    }

    @Test func mapValueTypeChangeIsReportedAtTheEntry() throws {
        let report = try CompatibilityFixture.check3(
            "message M { map<string, int32> attrs = 1; }", "message M { map<string, string> attrs = 1; }", policy: .wire
        )
        #expect(report.ruleIDs == ["FIELD_WIRE_COMPATIBLE_TYPE"])
        #expect(report.findings.first?.v1?.element == "acme.v1.M.AttrsEntry.value")
    }

    @Test func rootsCanBeNamedOrGivenInFull() throws {
        let v1 = CompatibilityFixture.proto3("message A { int32 x = 1; } message B { int32 y = 1; }", version: "v1")
        let v2 = CompatibilityFixture.proto3("message A { string x = 1; } message B { int32 y = 1; }", version: "v2")
        let named = try CompatibilityFixture.check(v1, v2, policy: .wire, roots: .named("B"))
        #expect(named.findings.isEmpty)
        let full = try CompatibilityFixture.check(
            v1, v2, policy: .wire, roots: .messages(v1: "acme.v1.A", v2: "acme.v2.A"))
        #expect(full.ruleIDs == ["FIELD_WIRE_COMPATIBLE_TYPE"])
        #expect(throws: CompatibilityError.self) {
            try CompatibilityFixture.check(v1, v2, roots: .named("C"))
        }
        #expect(throws: CompatibilityError.self) {
            try CompatibilityFixture.check(v1, CompatibilityFixture.proto3("message Z {}", version: "v2"))
        }
    }

    static let corpusRoot = Oracle.fixtures.appendingPathComponent("corpus")
    static let corpusFiles = [
        "acme/proto3_all.proto", "acme/scalars2.proto", "acme/imports.proto", "acme/scoping.proto",
        "acme/services.proto", "acme/options_builtin.proto", "acme/common/types.proto",
    ]

    @Test(arguments: corpusFiles)
    func aFileCheckedAgainstItselfIsCleanUnderStrict(file: String) throws {
        let roots = [
            Self.corpusRoot.appendingPathComponent("root").path, Self.corpusRoot.appendingPathComponent("shared").path,
        ]
        let v1 = try ProtoCompiler(importPaths: roots).compile([file])
        let v2 = try ProtoCompiler(importPaths: roots).compile([file])
        let report = try CompatibilityChecker(policy: .strict)
            .check(v1: CompatibilitySchema(v1), v2: CompatibilitySchema(v2), roots: .allTopLevel)
        #expect(report.findings.isEmpty, "\(report.findings.map { "\($0.rule) \($0.message)" })")
    }

    @Test func everyRuleTriggerIsCleanAgainstItself() throws {
        for testCase in CompatibilityRuleTests.cases {
            for text in [testCase.trigger.0, testCase.trigger.1] {
                let full =
                    testCase.syntax2
                    ? CompatibilityFixture.proto2(text, version: "v1")
                    : CompatibilityFixture.proto3(text, version: "v1")
                let report = try CompatibilityFixture.check(full, full, policy: testCase.policy, roots: .wholeSchema)
                #expect(report.findings.isEmpty, "\(text): \(report.ruleIDs)")
            }
        }
    }

    @Test func jsonFollowsTheCheckContract() throws {
        let report = try CompatibilityFixture.check3(
            "message M { int32 a = 1; int32 b = 2; }", "message M { string a = 1; }", policy: .wireJSON)
        let json = report.jsonValue
        #expect(json.objectMembers?.map(\.key) == ["policy", "errors", "warnings", "findings"])
        #expect(json["policy"] == .string("wire_json"))
        #expect(json["errors"] == .integer(report.errorCount))
        #expect(json["warnings"] == .integer(0))
        let findings = try #require(json["findings"]?.arrayElements)
        #expect(findings.count == report.findings.count)
        for finding in findings {
            #expect(finding.objectMembers?.map(\.key) == ["rule", "severity", "v1", "v2", "message"])
        }
        let deleted = try #require(findings.first { $0["rule"] == .string("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED") })
        #expect(deleted["v2"] == .null)
        #expect(deleted["v1"]?.objectMembers?.map(\.key) == ["file", "line", "column", "element"])
        #expect(deleted["v1"]?["element"] == .string("acme.v1.M.b"))
        #expect(deleted["v1"]?["line"] == .integer(3))
    }
}
