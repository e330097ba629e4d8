import TandemProto
import Testing

@testable import Tandem

/// Rules about encodings: a shadow payload written by hand against a v2 record.
struct WireCase: Sendable, CustomTestStringConvertible {
    let name: String
    let v2: @Sendable (inout DynamicMessage) throws -> Void
    let shadowBytes: [UInt8]
    let expected: [String]
    var testDescription: String { name }
}

struct WireRuleTests {
    static let cases: [WireCase] = [
        WireCase(name: "explicit default on the wire", v2: { _ in }, shadowBytes: [0x08, 0x00], expected: []),
        WireCase(
            name: "explicit non-default on the wire", v2: { _ in }, shadowBytes: [0x08, 0x01], expected: ["i32 changed"]
        ),
        WireCase(
            name: "unpacked equals packed", v2: { try $0.setRepeated(6, to: [.int32(1), .int32(2)]) },
            shadowBytes: [0x30, 0x01, 0x30, 0x02], expected: []),
        WireCase(
            name: "unpacked with a different element", v2: { try $0.setRepeated(6, to: [.int32(1), .int32(2)]) },
            shadowBytes: [0x30, 0x01, 0x30, 0x03], expected: ["nums[1] changed"]),
        WireCase(
            name: "map entries in another order",
            v2: { m in
                try m.setMapValue(.int32(1), forKey: .string("a"), in: 7)
                try m.setMapValue(.int32(2), forKey: .string("b"), in: 7)
            },
            shadowBytes: [0x3A, 0x05, 0x0A, 0x01, 0x62, 0x10, 0x02, 0x3A, 0x05, 0x0A, 0x01, 0x61, 0x10, 0x01],
            expected: []),
        WireCase(
            name: "map entries with a changed value",
            v2: { m in
                try m.setMapValue(.int32(1), forKey: .string("a"), in: 7)
                try m.setMapValue(.int32(2), forKey: .string("b"), in: 7)
            },
            shadowBytes: [0x3A, 0x05, 0x0A, 0x01, 0x62, 0x10, 0x07, 0x3A, 0x05, 0x0A, 0x01, 0x61, 0x10, 0x01],
            expected: ["attrs[\"b\"] changed"]),
        WireCase(
            name: "fields out of order on the wire",
            v2: { m in
                try m.set(named: "i32", to: .int64(5))
                try m.set(named: "s", to: .string("x"))
            }, shadowBytes: [0x12, 0x01, 0x78, 0x08, 0x05], expected: []),
        WireCase(
            name: "fields out of order with a changed value",
            v2: { m in
                try m.set(named: "i32", to: .int64(6))
                try m.set(named: "s", to: .string("x"))
            }, shadowBytes: [0x12, 0x01, 0x78, 0x08, 0x05], expected: ["i32 changed"]),
        WireCase(
            name: "unknown fields are not mismatches", v2: { _ in }, shadowBytes: [0xF8, 0x01, 0x01], expected: []),
        WireCase(
            name: "truncated shadow is undecodable", v2: { _ in }, shadowBytes: [0x12, 0x05, 0x78],
            expected: ["$ undecodable"]),
    ]

    @Test(arguments: cases)
    func wireRule(_ wire: WireCase) throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        var primary = DiffFixture.v2(plan)
        try wire.v2(&primary)
        let comparison = try #require(
            engine.compare(shadowPayload: wire.shadowBytes, primaryPayload: primary.serializedBytes()))
        #expect(comparison.diffs.map { "\($0.path) \($0.kind.rawValue)" } == wire.expected)
    }

    @Test func unknownFieldsAreCountedApart() throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        let comparison = try #require(
            engine.compare(shadowPayload: [0xF8, 0x01, 0x01], primaryPayload: [0xA8, 0x02, 0x01]))
        #expect(comparison.isMatch)
        #expect(comparison.unknownFields == 2)
    }

    @Test func recordsMissingOnOneSide() throws {
        let engine = DiffEngine(plan: try DiffFixture.plan())
        #expect(engine.compare(shadowPayload: nil, primaryPayload: nil) == nil)
        #expect(engine.compare(shadowPayload: nil, primaryPayload: [])?.diffs.map(\.kind) == [.recordMissingInShadow])
        #expect(engine.compare(shadowPayload: [], primaryPayload: nil)?.diffs.map(\.kind) == [.recordMissingInPrimary])
        let bad = try #require(engine.compare(shadowPayload: [], primaryPayload: [0x0A, 0x09]))
        #expect(bad.diffs.map(\.path) == ["$"])
        #expect(bad.diffs.first?.kind == .undecodable)
        #expect(bad.diffs.first?.detail?.isEmpty == false)
    }

    @Test func kindRawValuesAreTheContract() {
        #expect(
            FieldDiff.Kind.allCases.map(\.rawValue) == [
                "changed", "missing_in_shadow", "missing_in_primary", "undecodable", "record_missing_in_shadow",
                "record_missing_in_primary",
            ])
    }
}
