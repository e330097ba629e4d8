extension ProtoValue {
    /// Whether this value can be stored in a field of `field`'s type.
    package func fits(_ field: FieldDescriptor) -> Bool {
        switch (field.type, self) {
        case (.int32, .int32), (.sint32, .int32), (.sfixed32, .int32): return true
        case (.int64, .int64), (.sint64, .int64), (.sfixed64, .int64): return true
        case (.uint32, .uint32), (.fixed32, .uint32): return true
        case (.uint64, .uint64), (.fixed64, .uint64): return true
        case (.float, .float), (.double, .double), (.bool, .bool): return true
        case (.string, .string), (.string, .bytes), (.bytes, .bytes): return true
        case (.enum, .enumValue): return true
        case (.message, .message(let m)), (.group, .message(let m)): return m.descriptor.fullName == field.typeName
        default: return false
        }
    }

    /// Whether this is the zero value an implicit-presence proto3 field does not store (floats by bit pattern:
    /// `-0.0` is not the default, as protobuf writes it).
    package var isImplicitDefault: Bool {
        switch self {
        case .int32(let v): return v == 0
        case .int64(let v): return v == 0
        case .uint32(let v): return v == 0
        case .uint64(let v): return v == 0
        case .float(let v): return v.bitPattern == 0
        case .double(let v): return v.bitPattern == 0
        case .bool(let v): return !v
        case .string(let v): return v.isEmpty
        case .bytes(let v): return v.isEmpty
        case .enumValue(let v): return v == 0
        case .message: return false
        }
    }

    /// The integer or bit pattern this value is encoded from: signed values sign-extended, floats by bit pattern.
    @usableFromInline
    var wireBits: Int64 {
        switch self {
        case .int32(let v): return Int64(v)
        case .int64(let v): return v
        case .uint32(let v): return Int64(v)
        case .uint64(let v): return Int64(bitPattern: v)
        case .float(let v): return Int64(v.bitPattern)
        case .double(let v): return Int64(bitPattern: v.bitPattern)
        case .bool(let v): return v ? 1 : 0
        case .enumValue(let v): return Int64(v)
        case .string, .bytes, .message: return 0
        }
    }

    /// The default value of `field` when unset: its proto2 `[default = ...]`, else the type's zero value (the first
    /// declared value for enums, an empty message for message fields).
    static func defaultValue(of field: FieldDescriptor, schema: Schema) -> ProtoValue {
        if let text = field.defaultValueText, let parsed = parseDefault(text, field: field, schema: schema) {
            return parsed
        }
        return zero(of: field, schema: schema)
    }

    /// The zero value of `field`'s type, ignoring any declared default: 0, false, empty, the first enum value, an
    /// empty message. Repeated elements and map values have no declared defaults, so this is their default.
    package static func zero(of field: FieldDescriptor, schema: Schema) -> ProtoValue {
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

    /// Parses `FieldDescriptorProto.default_value` text: decimal integers, `inf`/`-inf`/`nan` floats, `true`/`false`,
    /// enum value names, raw string text, and C-escaped bytes.
    static func parseDefault(_ text: String, field: FieldDescriptor, schema: Schema) -> ProtoValue? {
        switch field.type {
        case .int32, .sint32, .sfixed32: return Int32(text).map { .int32($0) }
        case .int64, .sint64, .sfixed64: return Int64(text).map { .int64($0) }
        case .uint32, .fixed32: return UInt32(text).map { .uint32($0) }
        case .uint64, .fixed64: return UInt64(text).map { .uint64($0) }
        case .float: return parseFloatingPoint(text).map { .float(Float($0)) }
        case .double: return parseFloatingPoint(text).map { .double($0) }
        case .bool: return text == "true" ? .bool(true) : (text == "false" ? .bool(false) : nil)
        case .string: return .string(text)
        case .bytes: return .bytes(unescapeBytes(text))
        case .enum: return schema.enumType(of: field)?.number(named: text).map { .enumValue($0) }
        case .message, .group: return nil
        }
    }

    private static func parseFloatingPoint(_ text: String) -> Double? {
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: return Double(text)
        }
    }

    /// Undoes protoc's `CEscape` of a bytes default: `\n`, `\r`, `\t`, `\"`, `\'`, `\\`, octal `\NNN`, hex `\xHH`.
    private static func unescapeBytes(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        func isOctal(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x37 }
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x61...0x66: return b - 0x61 + 10
            case 0x41...0x46: return b - 0x41 + 10
            default: return nil
            }
        }
        while index < input.count {
            let byte = input[index]
            index += 1
            guard byte == 0x5C, index < input.count else {
                output.append(byte)
                continue
            }
            let escape = input[index]
            index += 1
            switch escape {
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x61: output.append(0x07)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x76: output.append(0x0B)
            case 0x78:
                var value: UInt8 = 0
                var digits = 0
                while digits < 2, index < input.count, let h = hexValue(input[index]) {
                    value = value &* 16 &+ h
                    index += 1
                    digits += 1
                }
                output.append(value)
            case _ where isOctal(escape):
                var value = UInt32(escape - 0x30)
                var digits = 1
                while digits < 3, index < input.count, isOctal(input[index]) {
                    value = value * 8 + UInt32(input[index] - 0x30)
                    index += 1
                    digits += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            default: output.append(escape)
            }
        }
        return output
    }
}
