/// How two declared types of one field number relate on the wire and in proto3 JSON (protobuf.dev, "Updating A
/// Message Type"; JSON groups as buf's `FIELD_WIRE_JSON_COMPATIBLE_TYPE`).
enum TypeCompatibility {
    /// The same type.
    case same
    /// Wire-compatible for some values only, or different in JSON; the text says what happens.
    case conditional(String)
    /// Not wire-compatible; the text says what happens.
    case incompatible(String)

    /// Classifies a change of field `number` from `v1` to `v2`; `v1Name` and `v2Name` describe the types for
    /// messages (`int64`, `message acme.Money`).
    static func classify(v1: FieldType, v2: FieldType, number: Int32, v1Name: String, v2Name: String)
        -> TypeCompatibility
    {
        if v1 == v2 { return .same }
        guard wireCompatible(v1, v2) else {
            if v1.wireType != v2.wireType {
                return .incompatible(
                    "v1 writes field \(number) as \(v1Name) (\(wireName(v1.wireType))) and v2 as \(v2Name) "
                        + "(\(wireName(v2.wireType))): each side skips the other's values as unknown fields, so the "
                        + "value is lost (some runtimes reject the whole record)")
            }
            if v1.wireType == .lengthDelimited {
                return .incompatible(
                    "v1 (\(v1Name)) and v2 (\(v2Name)) both write field \(number) length-delimited but mean different "
                        + "things: readers parse the other side's bytes as \(v1Name) or \(v2Name) and reject the record "
                        + "or read garbage")
            }
            return .incompatible(
                "v1 (\(v1Name)) and v2 (\(v2Name)) write field \(number) with the same wire type but another encoding: "
                    + "each side decodes the other's values as different numbers, without any error")
        }
        var parts: [String] = []
        if let loss = readerLoss(reader: v1, writer: v2) {
            parts.append("v1 readers decode field \(number) (\(v2Name) in v2) as \(v1Name) and \(loss)")
        }
        if let loss = readerLoss(reader: v2, writer: v1) {
            parts.append("v2 readers decode field \(number) (\(v1Name) in v1) as \(v2Name) and \(loss)")
        }
        if jsonGroup(v1) != jsonGroup(v2) {
            parts.append(
                "in proto3 JSON \(v1Name) and \(v2Name) are written differently (\(jsonForm(v1)) vs "
                    + "\(jsonForm(v2))), so JSON readers of the other side reject or misread the value")
        }
        if parts.isEmpty {
            parts.append("field \(number) changed from \(v1Name) to \(v2Name)")
        }
        return .conditional(parts.joined(separator: "; "))
    }

    /// protobuf.dev's wire-compatible pairs (with their conditions).
    static func wireCompatible(_ a: FieldType, _ b: FieldType) -> Bool {
        if a == b { return true }
        let varints: Set<FieldType> = [.int32, .uint32, .int64, .uint64, .bool]
        let enumPartners: Set<FieldType> = [.int32, .uint32, .int64, .uint64]
        switch (a, b) {
        case _ where varints.contains(a) && varints.contains(b): return true
        case (.enum, _) where enumPartners.contains(b): return true
        case (_, .enum) where enumPartners.contains(a): return true
        case (.sint32, .sint64), (.sint64, .sint32): return true
        case (.fixed32, .sfixed32), (.sfixed32, .fixed32): return true
        case (.fixed64, .sfixed64), (.sfixed64, .fixed64): return true
        case (.string, .bytes), (.bytes, .string): return true
        case (.message, .bytes), (.bytes, .message): return true
        default: return false
        }
    }

    /// What a reader of type `reader` does to values a writer of type `writer` wrote, when something is lost.
    private static func readerLoss(reader: FieldType, writer: FieldType) -> String? {
        switch (reader, writer) {
        case (.bool, _): return "read every non-zero value as true"
        case (_, .bool): return nil
        case (.int32, .int64), (.int32, .uint64):
            return "truncate values outside -2^31 to 2^31 - 1 to their low 32 bits"
        case (.int32, .uint32): return "read values above 2^31 - 1 as negative"
        case (.uint32, .int32), (.uint32, .enum): return "read negative values as 2^32 + value"
        case (.uint32, .int64): return "truncate to the low 32 bits (negative values and values above 2^32 - 1 change)"
        case (.uint32, .uint64): return "truncate values above 2^32 - 1 to their low 32 bits"
        case (.int64, .uint64): return "read values above 2^63 - 1 as negative"
        case (.uint64, .int32), (.uint64, .int64), (.uint64, .enum): return "read negative values as 2^64 + value"
        case (.enum, _):
            let truncation = (writer == .int64 || writer == .uint64) ? "truncate values to 32 bits and " : ""
            return truncation + "keep numbers the enum does not declare as unknown values (a closed proto2 enum "
                + "moves them to unknown fields)"
        case (.int32, .enum), (.int64, .enum), (.int64, .int32), (.int64, .uint32), (.uint64, .uint32): return nil
        case (.sint32, .sint64): return "truncate values outside -2^31 to 2^31 - 1"
        case (.fixed32, .sfixed32), (.fixed64, .sfixed64): return "read negative values as unsigned (2^n + value)"
        case (.sfixed32, .fixed32): return "read values above 2^31 - 1 as negative"
        case (.sfixed64, .fixed64): return "read values above 2^63 - 1 as negative"
        case (.string, .bytes):
            return "reject records whose bytes are not valid UTF-8 (proto3 validates strings; proto2 keeps them)"
        case (.message, .bytes): return "fail to parse the record unless the bytes hold an encoded message of that type"
        default: return nil
        }
    }

    /// buf's JSON-and-wire groups: types in one group are written alike in proto3 JSON.
    private static func jsonGroup(_ type: FieldType) -> Int {
        switch type {
        case .int32, .uint32: return 1
        case .int64, .uint64: return 2
        case .fixed32, .sfixed32: return 3
        case .fixed64, .sfixed64: return 4
        default: return 10 + type.rawValue
        }
    }

    private static func jsonForm(_ type: FieldType) -> String {
        switch type {
        case .int64, .uint64, .fixed64, .sfixed64, .sint64: return "a decimal string"
        case .int32, .uint32, .fixed32, .sfixed32, .sint32, .double, .float: return "a number"
        case .bool: return "true/false"
        case .string: return "a string"
        case .bytes: return "base64"
        case .enum: return "the value name"
        case .message, .group: return "an object"
        }
    }

    private static func wireName(_ type: WireType) -> String {
        switch type {
        case .varint: return "varint"
        case .fixed64: return "fixed 64-bit"
        case .fixed32: return "fixed 32-bit"
        case .lengthDelimited: return "length-delimited"
        case .startGroup, .endGroup: return "group"
        }
    }
}
