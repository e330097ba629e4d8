import TandemProto

extension ProtoValue {
    /// The zero value of `field`'s element type: the placeholder that keeps an unrepresentable repeated element or
    /// map value in its place (repeated elements and map values have no declared defaults in protobuf).
    static func zero(of field: FieldDescriptor, schema: Schema) -> ProtoValue {
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(0)
        case .int64, .sint64, .sfixed64: return .int64(0)
        case .uint32, .fixed32: return .uint32(0)
        case .uint64, .fixed64: return .uint64(0)
        case .float: return .float(0)
        case .double: return .double(0)
        case .bool: return .bool(false)
        case .string: return .string("")
        case .bytes: return .bytes([])
        case .enum: return .enumValue(schema.enumType(of: field)?.defaultNumber ?? 0)
        case .message, .group:
            guard let type = schema.messageType(of: field) else { return .bytes([]) }
            return .message(DynamicMessage(descriptor: type, schema: schema))
        }
    }
}
