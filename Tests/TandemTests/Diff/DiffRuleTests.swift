import TandemProto
import Testing

@testable import Tandem

/// One comparison rule case: a v2 record, a v1 shadow, and the diffs expected between them.
struct RuleCase: Sendable, CustomTestStringConvertible {
    typealias Build = @Sendable (inout DynamicMessage, MigrationPlan) throws -> Void
    let name: String
    let v2: Build
    let shadow: Build
    let expected: [String]
    var testDescription: String { name }

    init(_ name: String, v2: @escaping Build, shadow: @escaping Build, _ expected: [String]) {
        self.name = name
        self.v2 = v2
        self.shadow = shadow
        self.expected = expected
    }
}

private func timestamp(_ plan: MigrationPlan, seconds: Int64, nanos: Int32) throws -> ProtoValue {
    var value = try DiffFixture.message("google.protobuf.Timestamp", v2: true, plan)
    try value.set(named: "seconds", to: .int64(seconds))
    try value.set(named: "nanos", to: .int32(nanos))
    return .message(value)
}

private func sub(_ plan: MigrationPlan, v2: Bool, name: String? = nil, extra: String? = nil) throws -> ProtoValue {
    var value = try DiffFixture.message("t.Sub", v2: v2, plan)
    if let name { try value.set(named: "name", to: .string(name)) }
    if let extra { try value.set(named: "extra", to: .string(extra)) }
    return .message(value)
}

private func profile(_ plan: MigrationPlan, display: String) throws -> ProtoValue {
    var value = try DiffFixture.message("t.Profile", v2: true, plan)
    try value.set(named: "display", to: .string(display))
    return .message(value)
}

struct DiffRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "proto3 unset equals default", v2: { _, _ in }, shadow: { m, _ in try m.set(named: "i32", to: .int32(0)) },
            []),
        RuleCase(
            "proto3 set differs from unset", v2: { m, _ in try m.set(named: "i32", to: .int64(5)) },
            shadow: { _, _ in }, ["i32 changed"]),
        RuleCase(
            "int64 and int32 of the same value", v2: { m, _ in try m.set(named: "i32", to: .int64(7)) },
            shadow: { m, _ in try m.set(named: "i32", to: .int32(7)) }, []),
        RuleCase(
            "int64 and int32 of different values", v2: { m, _ in try m.set(named: "i32", to: .int64(8)) },
            shadow: { m, _ in try m.set(named: "i32", to: .int32(7)) }, ["i32 changed"]),
        RuleCase(
            "NaN equals NaN", v2: { m, _ in try m.set(named: "d", to: .double(.nan)) },
            shadow: { m, _ in try m.set(named: "d", to: .double(.nan)) }, []),
        RuleCase(
            "NaN differs from a number", v2: { m, _ in try m.set(named: "d", to: .double(.nan)) },
            shadow: { m, _ in try m.set(named: "d", to: .double(1)) }, ["d changed"]),
        RuleCase("-0 equals 0", v2: { m, _ in try m.set(named: "d", to: .double(-0.0)) }, shadow: { _, _ in }, []),
        RuleCase(
            "infinities equal", v2: { m, _ in try m.set(named: "f", to: .float(.infinity)) },
            shadow: { m, _ in try m.set(named: "f", to: .float(.infinity)) }, []),
        RuleCase(
            "opposite infinities differ", v2: { m, _ in try m.set(named: "f", to: .float(.infinity)) },
            shadow: { m, _ in try m.set(named: "f", to: .float(-.infinity)) }, ["f changed"]),
        RuleCase(
            "enum mapped by name", v2: { m, _ in try m.set(named: "color", to: .enumValue(2)) },
            shadow: { m, _ in try m.set(named: "color", to: .enumValue(1)) }, []),
        RuleCase(
            "enum mapped by name, different value", v2: { m, _ in try m.set(named: "color", to: .enumValue(2)) },
            shadow: { m, _ in try m.set(named: "color", to: .enumValue(2)) }, ["color changed"]),
        RuleCase(
            "timestamp converted to millis",
            v2: { m, p in try m.set(named: "created", to: timestamp(p, seconds: 1, nanos: 500_999_999)) },
            shadow: { m, _ in try m.set(named: "created_ms", to: .int64(1500)) }, []),
        RuleCase(
            "timestamp millis off by one",
            v2: { m, p in try m.set(named: "created", to: timestamp(p, seconds: 1, nanos: 500_000_000)) },
            shadow: { m, _ in try m.set(named: "created_ms", to: .int64(1499)) }, ["created_ms changed"]),
        RuleCase(
            "absent timestamp equals zero millis (presence differs: values only)", v2: { _, _ in },
            shadow: { _, _ in }, []),
        RuleCase(
            "v2-only fields are not compared",
            v2: { m, p in
                try m.set(named: "v2_only", to: .string("zzz"))
                try m.set(named: "sub", to: sub(p, v2: true, name: "n", extra: "only in v2"))
            }, shadow: { m, p in try m.set(named: "sub", to: sub(p, v2: false, name: "n")) }, []),
        RuleCase(
            "sub-message fields compared by name",
            v2: { m, p in try m.set(named: "sub", to: sub(p, v2: true, name: "n", extra: "e")) },
            shadow: { m, p in try m.set(named: "sub", to: sub(p, v2: false, name: "m")) }, ["sub.name changed"]),
        RuleCase(
            "present empty sub-message equals present empty",
            v2: { m, p in try m.set(named: "sub", to: sub(p, v2: true)) },
            shadow: { m, p in try m.set(named: "sub", to: sub(p, v2: false)) }, []),
        RuleCase(
            "present empty sub-message differs from absent",
            v2: { m, p in try m.set(named: "sub", to: sub(p, v2: true)) },
            shadow: { _, _ in }, ["sub missing_in_shadow"]),
        RuleCase(
            "empty optional string present on both", v2: { m, _ in try m.set(named: "opt", to: .string("")) },
            shadow: { m, _ in try m.set(named: "opt", to: .string("")) }, []),
        RuleCase(
            "empty optional string present vs absent", v2: { m, _ in try m.set(named: "opt", to: .string("")) },
            shadow: { _, _ in }, ["opt missing_in_shadow"]),
        RuleCase(
            "optional only in shadow", v2: { _, _ in }, shadow: { m, _ in try m.set(named: "opt", to: .string("x")) },
            ["opt missing_in_primary"]),
        RuleCase(
            "same oneof case", v2: { m, _ in try m.set(named: "a", to: .string("x")) },
            shadow: { m, _ in try m.set(named: "a", to: .string("x")) }, []),
        RuleCase(
            "changed oneof case", v2: { m, _ in try m.set(named: "a", to: .string("x")) },
            shadow: { m, _ in try m.set(named: "b", to: .int32(3)) }, ["a missing_in_shadow", "b missing_in_primary"]),
        RuleCase(
            "repeated in order", v2: { m, _ in try m.setRepeated(6, to: [.int32(1), .int32(2)]) },
            shadow: { m, _ in try m.setRepeated(6, to: [.int32(1), .int32(2)]) }, []),
        RuleCase(
            "repeated out of order", v2: { m, _ in try m.setRepeated(6, to: [.int32(1), .int32(2)]) },
            shadow: { m, _ in try m.setRepeated(6, to: [.int32(2), .int32(1)]) },
            ["nums[0] changed", "nums[1] changed"]),
        RuleCase(
            "repeated longer in primary", v2: { m, _ in try m.setRepeated(6, to: [.int32(1), .int32(2)]) },
            shadow: { m, _ in try m.setRepeated(6, to: [.int32(1)]) }, ["nums[1] missing_in_shadow"]),
        RuleCase(
            "unordered as multiset", v2: { m, _ in try m.setRepeated(13, to: [.string("x"), .string("y")]) },
            shadow: { m, _ in try m.setRepeated(13, to: [.string("y"), .string("x")]) }, []),
        RuleCase(
            "unordered multiset differs", v2: { m, _ in try m.setRepeated(13, to: [.string("x"), .string("y")]) },
            shadow: { m, _ in try m.setRepeated(13, to: [.string("y"), .string("z")]) },
            ["tags[1] missing_in_primary", "tags[0] missing_in_shadow"]),
        RuleCase(
            "map by key",
            v2: { m, _ in
                try m.setMapValue(.int32(1), forKey: .string("a"), in: 7)
                try m.setMapValue(.int32(2), forKey: .string("b"), in: 7)
            },
            shadow: { m, _ in
                try m.setMapValue(.int32(2), forKey: .string("b"), in: 7)
                try m.setMapValue(.int32(1), forKey: .string("a"), in: 7)
            }, []),
        RuleCase(
            "map value differs", v2: { m, _ in try m.setMapValue(.int32(1), forKey: .string("a"), in: 7) },
            shadow: { m, _ in try m.setMapValue(.int32(9), forKey: .string("a"), in: 7) }, ["attrs[\"a\"] changed"]),
        RuleCase(
            "int64 map keys narrow to int32",
            v2: { m, _ in try m.setMapValue(.string("x"), forKey: .int64(5), in: 18) },
            shadow: { m, _ in try m.setMapValue(.string("x"), forKey: .int32(5), in: 18) }, []),
        RuleCase(
            "map keys differ", v2: { m, _ in try m.setMapValue(.string("x"), forKey: .int64(5), in: 18) },
            shadow: { m, _ in try m.setMapValue(.string("x"), forKey: .int32(6), in: 18) },
            ["codes[5] missing_in_shadow", "codes[6] missing_in_primary"]),
        RuleCase(
            "strings equal by UTF-8 bytes", v2: { m, _ in try m.set(named: "s", to: .string("\u{e9}")) },
            shadow: { m, _ in try m.set(named: "s", to: .string("\u{e9}")) }, []),
        RuleCase(
            "canonically equivalent strings with different bytes differ",
            v2: { m, _ in try m.set(named: "s", to: .string("\u{e9}")) },
            shadow: { m, _ in try m.set(named: "s", to: .string("e\u{301}")) }, ["s changed"]),
        RuleCase(
            "bytes exactly", v2: { m, _ in try m.set(named: "blob", to: .bytes([1, 2])) },
            shadow: { m, _ in try m.set(named: "blob", to: .bytes([1, 3])) }, ["blob changed"]),
        RuleCase(
            "narrowing that fits", v2: { m, _ in try m.set(named: "narrow", to: .int64(5)) },
            shadow: { m, _ in try m.set(named: "narrow", to: .int32(5)) }, []),
        RuleCase(
            "narrowing that does not fit is changed", v2: { m, _ in try m.set(named: "narrow", to: .int64(1 << 40)) },
            shadow: { m, _ in try m.set(named: "narrow", to: .int32(5)) }, ["narrow changed"]),
        RuleCase(
            "moved field from a sub-message",
            v2: { m, p in try m.set(named: "profile", to: profile(p, display: "Ann")) },
            shadow: { m, _ in try m.set(named: "display", to: .string("Ann")) }, []),
        RuleCase(
            "moved field differs", v2: { m, p in try m.set(named: "profile", to: profile(p, display: "Ann")) },
            shadow: { m, _ in try m.set(named: "display", to: .string("Bob")) }, ["display changed"]),
        RuleCase(
            "mixed presence compares values only", v2: { _, _ in },
            shadow: { m, _ in try m.set(named: "mixed", to: .int32(0)) }, []),
        RuleCase(
            "mixed presence value differs", v2: { _, _ in },
            shadow: { m, _ in try m.set(named: "mixed", to: .int32(1)) },
            ["mixed changed"]),
        RuleCase(
            "non-whitelisted v1 fields are not compared", v2: { _, _ in },
            shadow: { m, _ in try m.set(named: "not_whitelisted", to: .string("legacy")) }, []),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) throws {
        let plan = try DiffFixture.plan()
        let diffs = try DiffFixture.diffs(plan, v2: { try rule.v2(&$0, plan) }, shadow: { try rule.shadow(&$0, plan) })
        #expect(diffs == rule.expected)
    }

    @Test func unrepresentableValueIsShownUnnarrowed() throws {
        let plan = try DiffFixture.plan()
        var primary = DiffFixture.v2(plan)
        try primary.set(named: "narrow", to: .int64(1 << 40))
        try primary.setRepeated(6, to: [.int32(1)])
        let engine = DiffEngine(plan: plan)
        let projected = engine.projection.project(primary)
        #expect(projected.unrepresentable == ["narrow": .int64(1 << 40)])
        var shadow = DiffFixture.v1(plan)
        try shadow.setRepeated(6, to: [.int32(1)])
        let diffs = engine.diff(shadow: shadow, primary: projected)
        #expect(diffs == [FieldDiff(path: "narrow", kind: .changed, v1: nil, v2: .int64(1 << 40))])
        // Equal bytes cannot stand for a record holding an unrepresentable value.
        let comparison = engine.compare(
            shadowPayload: projected.message.serializedBytes(), primaryPayload: primary.serializedBytes())
        #expect(comparison?.usedFastPath == false)
        #expect(comparison?.diffs.map(\.path) == ["narrow"])
    }

    @Test(arguments: [(0.0, ["d changed"]), (1e-6, [])])
    func floatTolerance(tolerance: Double, expected: [String]) throws {
        let plan = try DiffFixture.plan(tolerance: tolerance)
        let diffs = try DiffFixture.diffs(
            plan, v2: { try $0.set(named: "d", to: .double(1.0)) },
            shadow: { try $0.set(named: "d", to: .double(1.0000001)) })
        #expect(diffs == expected)
    }

    @Test(
        arguments: [([], ["s changed", "sub.name changed"]), (["s", "sub.name"], []), (["sub"], ["s changed"])]
            as [([FieldPath], [String])])
    func ignoredPathsAreSkipped(ignore: [FieldPath], expected: [String]) throws {
        let plan = try DiffFixture.plan(ignore: ignore)
        let diffs = try DiffFixture.diffs(
            plan,
            v2: { m in
                try m.set(named: "s", to: .string("a"))
                try m.set(named: "sub", to: sub(plan, v2: true, name: "x"))
            },
            shadow: { m in
                try m.set(named: "s", to: .string("b"))
                try m.set(named: "sub", to: sub(plan, v2: false, name: "y"))
            })
        #expect(diffs == expected)
    }
}
