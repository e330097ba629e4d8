import Foundation
import TandemProto

/// Renders the values of diffs as proto3 JSON, finding each value's field from its path in the v1 message (values
/// of both sides are in the v1 shape after projection).
struct DiffValueRenderer: Sendable {
    let schema: Schema
    let root: MessageDescriptor

    /// The field a diff path ends at (`contacts[1].email` -> `email` of the contacts element type), if any.
    func field(at path: String) -> FieldDescriptor? {
        let names = FieldPath(parsing: DiffPath.schemaPath(path)).components
        guard !names.isEmpty, names != ["$"] else { return nil }
        var message = root
        var field: FieldDescriptor? = nil
        for name in names {
            if let current = field {
                // Descend into the previous field's message type (a map's value type for maps).
                guard var next = schema.messageType(of: current) else { return nil }
                if current.isMap {
                    guard let value = next.field(number: 2), let valueType = schema.messageType(of: value) else {
                        return nil
                    }
                    next = valueType
                }
                message = next
            }
            guard let found = message.field(named: name) else { return nil }
            field = found
        }
        guard let field, field.isMap, path.hasSuffix("]") else { return field }
        // A map entry's value: render with the entry's value field.
        return schema.messageType(of: field)?.field(number: 2)
    }

    /// The JSON form of one side's value.
    func render(_ value: FieldDiff.Value?, path: String) -> JSONValue? {
        guard let value else { return nil }
        switch value {
        case .redacted(let token):
            return .string(token)
        case .proto(let proto):
            guard let field = field(at: path) else { return Self.plain(proto) }
            return ProtoJSON.value(proto, field: field, schema: schema)
        }
    }

    /// A value whose field is unknown (an unnarrowed v2 value at a path the v1 schema lacks): proto3 JSON by the
    /// value's own type.
    static func plain(_ value: ProtoValue) -> JSONValue {
        switch value {
        case .int32(let v): return .integer(v)
        case .uint32(let v): return .integer(v)
        case .int64(let v): return .string(String(v))
        case .uint64(let v): return .string(String(v))
        case .float(let v):
            return JSONValue.double(Double(v)) ?? .string(v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))
        case .double(let v): return JSONValue.double(v) ?? .string(v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .bytes(let v): return .string(ProtoJSONBase64.encode(v))
        case .enumValue(let v): return .integer(v)
        case .message(let message):
            return (try? message.jsonValue()) ?? .string(ProtoJSONBase64.encode(message.serializedBytes()))
        }
    }
}
