/// Reads ``DynamicMessage``s from ``JSONValue``s following the ProtoJSON spec (protobuf.dev, "ProtoJSON Format").
///
/// Errors are thrown with an empty path and get their path while unwinding, one component per level.
struct ProtoJSONDecoder {
    let schema: Schema
    let options: ProtoJSONOptions

    // MARK: Messages

    func message(_ json: JSONValue, descriptor: MessageDescriptor, depth: Int) throws(ProtoJSONError) -> DynamicMessage
    {
        guard depth <= options.maxDepth else {
            throw ProtoJSONError(.depthLimit, detail: "messages nested deeper than \(options.maxDepth) levels")
        }
        if let wellKnown = ProtoJSON.WellKnown(rawValue: descriptor.fullName), wellKnown != .empty {
            return try self.wellKnown(wellKnown, json, descriptor: descriptor, depth: depth)
        }
        guard case .object(let members) = json else {
            throw ProtoJSONError(
                .wrongType, detail: "expected an object for \(descriptor.fullName), found \(json.kindDescription)")
        }
        var message = DynamicMessage(descriptor: descriptor, schema: schema)
        try mergeFields(members, into: &message, depth: depth)
        return message
    }

    /// Sets the fields named by `members` (JSON names or `.proto` names).
    func mergeFields(_ members: [JSONValue.Member], into message: inout DynamicMessage, depth: Int)
        throws(ProtoJSONError)
    {
        let descriptor = message.descriptor
        var seen = [Bool](repeating: false, count: descriptor.fields.count)
        var oneofMembers: [Int: String] = [:]
        for member in members {
            do throws(ProtoJSONError) {
                // ProtoJSON: parsers accept both the JSON name and the original proto field name.
                guard let field = descriptor.field(jsonName: member.key) ?? descriptor.field(named: member.key),
                    let position = descriptor.position(ofNumber: field.number)
                else {
                    if options.ignoreUnknownFields { continue }
                    throw ProtoJSONError(.unknownField, detail: "\(descriptor.fullName) has no field \"\(member.key)\"")
                }
                guard !seen[position] else {
                    throw ProtoJSONError(
                        .duplicateField, detail: "field \(field.name) of \(descriptor.fullName) is given twice")
                }
                seen[position] = true
                guard let slot = try fieldValue(member.value, field: field, depth: depth) else { continue }
                if let oneof = field.oneofIndex {
                    if let other = oneofMembers[oneof] {
                        let name = oneof < descriptor.oneofs.count ? descriptor.oneofs[oneof].name : "oneof"
                        throw ProtoJSONError(
                            .oneofConflict,
                            detail:
                                "\"\(other)\" and \"\(member.key)\" are both members of oneof \(name) of \(descriptor.fullName); at most one may be set"
                        )
                    }
                    oneofMembers[oneof] = member.key
                }
                message.replaceSlot(at: position, with: slot)
            } catch {
                throw error.prepending(.key(member.key))
            }
        }
    }

    /// The value of one field, or `nil` when the field is to be left unset (`null`, or an unknown enum name that
    /// is ignored).
    private func fieldValue(_ json: JSONValue, field: FieldDescriptor, depth: Int) throws(ProtoJSONError)
        -> DynamicMessage.FieldValue?
    {
        if field.isMap {
            if case .null = json { return nil }
            return try mapValue(json, field: field, depth: depth)
        }
        if field.isRepeated {
            if case .null = json { return nil }
            guard case .array(let elements) = json else {
                throw ProtoJSONError(
                    .wrongType,
                    detail: "expected an array for repeated field \(field.name), found \(json.kindDescription)")
            }
            var values: [ProtoValue] = []
            values.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                do throws(ProtoJSONError) {
                    if let value = try self.element(element, field: field, depth: depth) { values.append(value) }
                } catch {
                    throw error.prepending(.index(index))
                }
            }
            return values.isEmpty ? .unset : .repeated(values)
        }
        // ProtoJSON: null is the default (absent) value for every field type, except that it is the
        // NullValue of a google.protobuf.Value field (and of a NullValue enum field).
        if case .null = json, !acceptsNull(field) { return nil }
        guard let value = try element(json, field: field, depth: depth) else { return nil }
        if !field.hasPresence && value.isImplicitDefault { return .unset }
        return .single(value)
    }

    private func acceptsNull(_ field: FieldDescriptor) -> Bool {
        (field.type == .enum && field.typeName == ProtoJSON.nullValueEnum)
            || (field.type == .message && field.typeName == ProtoJSON.WellKnown.value.rawValue)
    }

    private func mapValue(_ json: JSONValue, field: FieldDescriptor, depth: Int) throws(ProtoJSONError)
        -> DynamicMessage.FieldValue
    {
        guard case .object(let members) = json else {
            throw ProtoJSONError(
                .wrongType, detail: "expected an object for map field \(field.name), found \(json.kindDescription)")
        }
        guard let entry = schema.messageType(of: field), entry.fields.count == 2 else {
            throw ProtoJSONError(.unknownType, detail: "the entry type of map field \(field.name) is not in the schema")
        }
        let keyField = entry.fields[0]
        let valueField = entry.fields[1]
        var entries: [ProtoValue: ProtoValue] = [:]
        entries.reserveCapacity(members.count)
        for member in members {
            do throws(ProtoJSONError) {
                let key = try mapKey(member.key, field: keyField)
                guard let value = try element(member.value, field: valueField, depth: depth) else { continue }
                guard entries.updateValue(value, forKey: key) == nil else {
                    throw ProtoJSONError(
                        .duplicateKey, detail: "map key \"\(member.key)\" repeats an earlier key of field \(field.name)"
                    )
                }
            } catch {
                throw error.prepending(.key(member.key))
            }
        }
        return entries.isEmpty ? .unset : .map(entries)
    }

    /// A map key: JSON object keys are strings; bool keys are `"true"`/`"false"`, integer keys decimal.
    private func mapKey(_ key: String, field: FieldDescriptor) throws(ProtoJSONError) -> ProtoValue {
        let json = JSONValue.string(key)
        switch field.type {
        case .string: return .string(key)
        case .bool:
            switch key {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw ProtoJSONError(.wrongType, detail: "map key \"\(key)\" is not \"true\" or \"false\"")
            }
        case .int32, .sint32, .sfixed32: return .int32(try ProtoJSONScalars.int32(json))
        case .int64, .sint64, .sfixed64: return .int64(try ProtoJSONScalars.int64(json))
        case .uint32, .fixed32: return .uint32(try ProtoJSONScalars.uint32(json))
        case .uint64, .fixed64: return .uint64(try ProtoJSONScalars.uint64(json))
        default: throw ProtoJSONError(.wrongType, detail: "map keys of type \(field.type.protoName) are not allowed")
        }
    }

    // MARK: Elements

    /// One value of `field`'s type (one element of a repeated field), or `nil` for an unknown enum name that is
    /// ignored.
    func element(_ json: JSONValue, field: FieldDescriptor, depth: Int) throws(ProtoJSONError) -> ProtoValue? {
        if case .null = json {
            if field.type == .enum && field.typeName == ProtoJSON.nullValueEnum { return .enumValue(0) }
            guard field.type.isMessage, field.typeName == ProtoJSON.WellKnown.value.rawValue else {
                throw ProtoJSONError(.wrongType, detail: "null is not a value of \(typeDescription(field)) here")
            }
        }
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(try ProtoJSONScalars.int32(json))
        case .int64, .sint64, .sfixed64: return .int64(try ProtoJSONScalars.int64(json))
        case .uint32, .fixed32: return .uint32(try ProtoJSONScalars.uint32(json))
        case .uint64, .fixed64: return .uint64(try ProtoJSONScalars.uint64(json))
        case .float: return .float(try ProtoJSONScalars.float(json))
        case .double: return .double(try ProtoJSONScalars.double(json))
        case .bool:
            guard case .bool(let flag) = json else {
                throw ProtoJSONError(
                    .wrongType,
                    detail: "expected true or false for bool field \(field.name), found \(json.kindDescription)")
            }
            return .bool(flag)
        case .string:
            guard case .string(let text) = json else {
                throw ProtoJSONError(
                    .wrongType,
                    detail: "expected a string for string field \(field.name), found \(json.kindDescription)")
            }
            return .string(text)
        case .bytes:
            guard case .string(let text) = json else {
                throw ProtoJSONError(
                    .wrongType,
                    detail: "expected a base64 string for bytes field \(field.name), found \(json.kindDescription)")
            }
            guard let bytes = ProtoJSONBase64.decode(text) else {
                throw ProtoJSONError(
                    .invalidBase64, detail: "\"\(text.prefix(40))\" is not base64 (bytes field \(field.name))")
            }
            return .bytes(bytes)
        case .enum:
            return try enumValue(json, field: field).map { .enumValue($0) }
        case .message, .group:
            guard let type = schema.messageType(of: field) else {
                throw ProtoJSONError(
                    .unknownType,
                    detail: "the type \(field.typeName ?? "?") of field \(field.name) is not in the schema")
            }
            return .message(try message(json, descriptor: type, depth: depth + 1))
        }
    }

    /// An enum value by name (unknown names are an error, or ignored with `ignoreUnknownFields`) or by number
    /// (any int32 for open enums; declared numbers only for closed ones).
    private func enumValue(_ json: JSONValue, field: FieldDescriptor) throws(ProtoJSONError) -> Int32? {
        guard let enumType = schema.enumType(of: field) else {
            throw ProtoJSONError(
                .unknownType, detail: "the enum \(field.typeName ?? "?") of field \(field.name) is not in the schema")
        }
        switch json {
        case .string(let name):
            if let number = enumType.number(named: name) { return number }
            if options.ignoreUnknownFields { return nil }
            throw ProtoJSONError(.unknownEnumValue, detail: "\(enumType.fullName) has no value named \"\(name)\"")
        case .number:
            let number = try ProtoJSONScalars.int32(json)
            if enumType.isClosed && enumType.name(of: number) == nil {
                if options.ignoreUnknownFields { return nil }
                throw ProtoJSONError(
                    .unknownEnumValue, detail: "closed enum \(enumType.fullName) has no value numbered \(number)")
            }
            return number
        default:
            throw ProtoJSONError(
                .wrongType,
                detail: "expected an enum name or number for field \(field.name), found \(json.kindDescription)")
        }
    }

    private func typeDescription(_ field: FieldDescriptor) -> String {
        "field \(field.name) (\(field.typeName ?? field.type.protoName))"
    }
}
