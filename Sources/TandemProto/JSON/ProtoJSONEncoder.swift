/// Writes ``DynamicMessage``s as ``JSONValue``s following the ProtoJSON spec (protobuf.dev, "ProtoJSON Format").
///
/// Strict mode fails on values with no JSON form (a Timestamp out of range, a NaN `google.protobuf.Value`);
/// lenient mode, used for reports, writes them in a plain form instead.
struct ProtoJSONEncoder {
    let options: ProtoJSONOptions
    let strict: Bool

    /// The depth past which nested messages are not written (a message graph built in code can be deeper than any
    /// JSON document we would read back).
    static let depthLimit = 1_000

    func message(_ message: DynamicMessage, depth: Int) throws(ProtoJSONError) -> JSONValue {
        guard depth <= Self.depthLimit else {
            throw ProtoJSONError(.depthLimit, detail: "messages nested deeper than \(Self.depthLimit) levels")
        }
        if let wellKnown = ProtoJSON.WellKnown(rawValue: message.descriptor.fullName), wellKnown != .empty {
            do throws(ProtoJSONError) {
                return try self.wellKnown(wellKnown, message, depth: depth)
            } catch {
                if strict { throw error }
            }
        }
        return try fields(message, depth: depth)
    }

    /// The message as an object of its fields, in field-number order.
    func fields(_ message: DynamicMessage, depth: Int) throws(ProtoJSONError) -> JSONValue {
        let descriptor = message.descriptor
        let schema = message.schema
        var members: [JSONValue.Member] = []
        for (position, field) in descriptor.fields.enumerated() {
            let name = options.useProtoFieldNames ? field.name : field.jsonName
            do throws(ProtoJSONError) {
                switch message.fieldValue(at: position) {
                case .unset:
                    // ProtoJSON: fields without presence may be written at their default on request; fields with
                    // presence are written only when set.
                    guard options.alwaysPrintFieldsWithNoPresence else { continue }
                    if field.isMap {
                        members.append(.init(name, .object([])))
                    } else if field.isRepeated {
                        members.append(.init(name, .array([])))
                    } else if !field.hasPresence {
                        let value = ProtoValue.defaultValue(of: field, schema: schema)
                        members.append(.init(name, try element(value, field: field, schema: schema, depth: depth)))
                    }
                case .single(let value):
                    members.append(.init(name, try element(value, field: field, schema: schema, depth: depth)))
                case .repeated(let values):
                    var elements: [JSONValue] = []
                    elements.reserveCapacity(values.count)
                    for (index, value) in values.enumerated() {
                        do throws(ProtoJSONError) {
                            elements.append(try element(value, field: field, schema: schema, depth: depth))
                        } catch {
                            throw error.prepending(.index(index))
                        }
                    }
                    members.append(.init(name, .array(elements)))
                case .map(let entries):
                    members.append(.init(name, try map(entries, field: field, schema: schema, depth: depth)))
                }
            } catch {
                throw error.prepending(.key(name))
            }
        }
        return .object(members)
    }

    private func map(_ entries: [ProtoValue: ProtoValue], field: FieldDescriptor, schema: Schema, depth: Int)
        throws(ProtoJSONError) -> JSONValue
    {
        guard let entry = schema.messageType(of: field), entry.fields.count == 2 else {
            throw ProtoJSONError(.unknownType, detail: "the entry type of map field \(field.name) is not in the schema")
        }
        // Dictionary order is not stable; keys are sorted so the same map always prints the same.
        let sorted = entries.sorted { WireEncoder.keyPrecedes($0.key, $1.key) }
        var members: [JSONValue.Member] = []
        members.reserveCapacity(sorted.count)
        for (key, value) in sorted {
            let text = Self.mapKeyText(key)
            do throws(ProtoJSONError) {
                members.append(.init(text, try element(value, field: entry.fields[1], schema: schema, depth: depth)))
            } catch {
                throw error.prepending(.key(text))
            }
        }
        return .object(members)
    }

    static func mapKeyText(_ key: ProtoValue) -> String {
        switch key {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .int32(let v): return String(v)
        case .int64(let v): return String(v)
        case .uint32(let v): return String(v)
        case .uint64(let v): return String(v)
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return "\(key)"
        }
    }

    /// One value of `field`'s type in its JSON form (an element of a repeated field, or a map value).
    func element(_ value: ProtoValue, field: FieldDescriptor, schema: Schema, depth: Int) throws(ProtoJSONError)
        -> JSONValue
    {
        switch value {
        case .int32(let v): return .number(String(v))
        case .uint32(let v): return .number(String(v))
        // ProtoJSON: 64-bit integers are strings, as JavaScript numbers cannot hold them exactly.
        case .int64(let v): return .string(String(v))
        case .uint64(let v): return .string(String(v))
        case .float(let v): return ProtoJSONScalars.json(v)
        case .double(let v): return ProtoJSONScalars.json(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .bytes(let bytes):
            // A proto2 string holding invalid UTF-8 is stored as bytes; JSON has no form for it, so it is written as
            // text with replacement characters.
            if field.type == .string { return .string(String(decoding: bytes, as: UTF8.self)) }
            return .string(ProtoJSONBase64.encode(bytes))
        case .enumValue(let number):
            if field.typeName == ProtoJSON.nullValueEnum { return .null }
            if !options.alwaysPrintEnumsAsInts, let name = schema.enumType(of: field)?.name(of: number) {
                return .string(name)
            }
            return .number(String(number))
        case .message(let nested):
            return try message(nested, depth: depth + 1)
        }
    }
}
