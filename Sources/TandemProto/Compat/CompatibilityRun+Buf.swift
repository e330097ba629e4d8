import SwiftProtobuf

/// Field comparisons under the `buf_*` policies: buf's own type and cardinality tables (buf 1.75.0, derived by
/// running it on every pair of field types and labels) instead of Tandem's.
extension CompatibilityRun {
    /// Whether the policy is one of buf's categories.
    var followsBuf: Bool { policy.bufCategory != nil }

    /// Compares two fields of one number as buf does: type, cardinality (not of a map entry's key and value, whose
    /// labels the syntax dictates) and oneof membership.
    mutating func compareAsBuf(_ a: FieldSide, _ b: FieldSide, inMapEntry: Bool) {
        compareFieldOptionsAsBufFile(a, b)
        compareTypesAsBuf(a, b)
        if !inMapEntry { compareCardinalityAsBuf(a, b) }
        if a.realOneof != b.realOneof {
            let from = a.realOneof.map { "oneof \($0)" } ?? "no oneof"
            let to = b.realOneof.map { "oneof \($0)" } ?? "no oneof"
            report(
                .fieldSameOneof, v1: a.locate(), v2: b.locate(),
                "field \(a.field.number) (\(a.field.name)) moved from \(from) in v1 to \(to) in v2")
        }
    }

    mutating func compareTypesAsBuf(_ a: FieldSide, _ b: FieldSide) {
        if a.type == b.type {
            // A map's entry type is named after the field, so renaming a map field changes its type, as buf says.
            if followNamedTypes(a, b, mapsAlike: false) != nil { reportTypeChangeAsBuf(a, b, wire: false, json: false) }
            return
        }
        reportTypeChangeAsBuf(
            a, b, wire: Self.bufWireCompatible(a.type, b.type), json: Self.bufJSONCompatible(a.type, b.type))
    }

    private mutating func reportTypeChangeAsBuf(_ a: FieldSide, _ b: FieldSide, wire: Bool, json: Bool) {
        let change = "field \(a.field.number) (\(a.field.name)) changed type from \(a.typeName) to \(b.typeName)"
        report(.fieldSameType, v1: a.locateType(), v2: b.locateType(), change)
        if !wire { report(.fieldWireCompatibleType, v1: a.locateType(), v2: b.locateType(), change) }
        if !json { report(.fieldWireJSONCompatibleType, v1: a.locateType(), v2: b.locateType(), change) }
    }

    /// buf's wire-compatible type changes: within int32/int64/uint32/uint64/bool, sint32/sint64, fixed32/sfixed32 and
    /// fixed64/sfixed64, and string to bytes.
    static func bufWireCompatible(_ a: FieldType, _ b: FieldType) -> Bool {
        let groups: [Set<FieldType>] = [
            [.int32, .int64, .uint32, .uint64, .bool], [.sint32, .sint64], [.fixed32, .sfixed32],
            [.fixed64, .sfixed64],
        ]
        if a == .string && b == .bytes { return true }
        return groups.contains { $0.contains(a) && $0.contains(b) }
    }

    /// buf's wire- and JSON-compatible type changes: a sign change of one width (int32/uint32, int64/uint64,
    /// fixed32/sfixed32, fixed64/sfixed64).
    static func bufJSONCompatible(_ a: FieldType, _ b: FieldType) -> Bool {
        let pairs: [Set<FieldType>] = [
            [.int32, .uint32], [.int64, .uint64], [.fixed32, .sfixed32], [.fixed64, .sfixed64],
        ]
        return pairs.contains { $0.contains(a) && $0.contains(b) }
    }

    /// buf's cardinality: repeated, required (proto2 `required`, editions' LEGACY_REQUIRED), optional (explicit
    /// presence: a proto2 optional, a proto3 `optional`, a oneof member, a message, an editions field with EXPLICIT
    /// presence), or implicit (a proto3 scalar without `optional`, editions' IMPLICIT).
    private static func bufCardinality(_ side: FieldSide) -> String {
        if side.isRepeated { return "repeated" }
        if side.isRequired { return "required" }
        return side.hasPresence ? "optional" : "implicit"
    }

    mutating func compareCardinalityAsBuf(_ a: FieldSide, _ b: FieldSide) {
        let from = Self.bufCardinality(a)
        let to = Self.bufCardinality(b)
        guard from != to else { return }
        let change = "field \(a.field.number) (\(a.field.name)) changed cardinality from \(from) to \(to)"
        report(.fieldSameCardinality, v1: a.locate(), v2: b.locate(), change)
        // Between implicit and explicit presence the wire form is the same; to or from repeated or required it is not.
        guard ["repeated", "required"].contains(from) || ["repeated", "required"].contains(to) else { return }
        report(.fieldWireCompatibleCardinality, v1: a.locate(), v2: b.locate(), change)
        report(.fieldWireJSONCompatibleCardinality, v1: a.locate(), v2: b.locate(), change)
    }
}
