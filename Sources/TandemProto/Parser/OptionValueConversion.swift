/// Checks an option value as written against a field's type and converts it, with protoc's messages.
enum OptionValueConversion {
    /// - Parameter inAggregate: Whether the value is inside an aggregate (`{...}`), where protobuf's text format
    ///   rules apply: `inf`, `infinity` and `nan` in any letter case, and enums by number.
    static func convert(
        _ value: OptionValue, to field: FieldDescriptor, schema: Schema, optionName: String,
        at location: SourceLocation,
        inAggregate: Bool = false
    ) throws(ProtoError) -> ProtoValue {
        func error(_ message: String) -> ProtoError { ProtoError(.invalidOption, at: location, message) }
        func integer(min: Int64, max: UInt64, kind: String) throws(ProtoError) -> (negative: Bool, magnitude: UInt64) {
            guard case .integer(let text, let negative) = value else {
                throw error("Value must be integer for \(kind) option \"\(optionName)\".")
            }
            guard let magnitude = ProtoParser.integerValue(text) else {
                throw error("Value out of range for \(kind) option \"\(optionName)\".")
            }
            if negative {
                guard min < 0, magnitude <= UInt64(-(min + 1)) + 1 else {
                    throw error("Value out of range for \(kind) option \"\(optionName)\".")
                }
            } else if magnitude > max {
                throw error("Value out of range for \(kind) option \"\(optionName)\".")
            }
            return (negative, magnitude)
        }
        func signed(_ v: (negative: Bool, magnitude: UInt64)) -> Int64 {
            v.negative ? Int64(truncatingIfNeeded: 0 &- v.magnitude) : Int64(v.magnitude)
        }
        switch field.type {
        case .int32, .sint32, .sfixed32:
            return .int32(Int32(signed(try integer(min: Int64(Int32.min), max: UInt64(Int32.max), kind: "int32"))))
        case .int64, .sint64, .sfixed64:
            return .int64(signed(try integer(min: Int64.min, max: UInt64(Int64.max), kind: "int64")))
        case .uint32, .fixed32:
            return .uint32(UInt32(try integer(min: 0, max: UInt64(UInt32.max), kind: "uint32").magnitude))
        case .uint64, .fixed64:
            return .uint64(try integer(min: 0, max: UInt64.max, kind: "uint64").magnitude)
        case .float, .double:
            let number: Double
            switch value {
            case .integer(let text, let negative):
                // Not `.map(Double.init)`: that resolves to `Double(bitPattern:)`.
                let magnitude = ProtoParser.integerValue(text).map { Double($0) } ?? Double(text) ?? 0
                number = negative ? -magnitude : magnitude
            case .float(let text, let negative):
                let magnitude = Double(text.hasPrefix(".") ? "0" + text : text) ?? 0
                number = negative ? -magnitude : magnitude
            case .identifier(let name, let negative) where Self.specialFloat(name, inAggregate: inAggregate) != nil:
                let magnitude = Self.specialFloat(name, inAggregate: inAggregate) ?? 0
                // protoc writes a top-level `-nan` without its sign, but keeps it inside aggregates.
                number = negative && (!magnitude.isNaN || inAggregate) ? -magnitude : magnitude
            default:
                throw error("Value must be number for \(field.type.protoName) option \"\(optionName)\".")
            }
            return field.type == .float ? .float(Float(number)) : .double(number)
        case .bool:
            guard case .identifier(let name, false) = value, name == "true" || name == "false" else {
                throw error("Value must be \"true\" or \"false\" for boolean option \"\(optionName)\".")
            }
            return .bool(name == "true")
        case .string:
            guard case .string(let bytes) = value else {
                throw error("Value must be quoted string for string option \"\(optionName)\".")
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        case .bytes:
            guard case .string(let bytes) = value else {
                throw error("Value must be quoted string for string option \"\(optionName)\".")
            }
            return .bytes(bytes)
        case .enum:
            guard let enumType = schema.enumType(of: field) else {
                throw error("Enum type of option \"\(optionName)\" is not defined.")
            }
            if inAggregate, case .integer = value {
                // Text format takes enums by number too; a closed enum only takes its declared numbers.
                let number = Int32(signed(try integer(min: Int64(Int32.min), max: UInt64(Int32.max), kind: "enum")))
                if enumType.isClosed && enumType.name(of: number) == nil {
                    throw error(
                        "Enum type \"\(enumType.fullName)\" has no value with number \(number) for option \"\(optionName)\"."
                    )
                }
                return .enumValue(number)
            }
            guard case .identifier(let name, false) = value else {
                throw error("Value must be identifier for enum-valued option \"\(optionName)\".")
            }
            guard let number = enumType.number(named: name) else {
                throw error(
                    "Enum type \"\(enumType.fullName)\" has no value named \"\(name)\" for option \"\(optionName)\".")
            }
            return .enumValue(number)
        case .message, .group:
            throw error(
                "Option \"\(optionName)\" is a message. To set the entire message, use syntax like \"\(optionName) = { <proto text format> }\". To set fields within it, use syntax like \"\(optionName).foo = value\"."
            )
        }
    }

    /// The value of `inf`/`nan` spellings: at the top level protoc takes `inf` and `nan`; inside aggregates its text
    /// format also takes `infinity` and any letter case.
    static func specialFloat(_ name: String, inAggregate: Bool) -> Double? {
        let spelled = inAggregate ? name.lowercased() : name
        switch spelled {
        case "inf": return .infinity
        case "infinity" where inAggregate: return .infinity
        case "nan": return .nan
        default: return nil
        }
    }
}
