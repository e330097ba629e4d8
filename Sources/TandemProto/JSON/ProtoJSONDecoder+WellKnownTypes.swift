extension ProtoJSONDecoder {
    /// Reads a well-known type from its special JSON form (ProtoJSON spec, "Well-known types" table).
    func wellKnown(_ kind: ProtoJSON.WellKnown, _ json: JSONValue, descriptor: MessageDescriptor, depth: Int)
        throws(ProtoJSONError) -> DynamicMessage
    {
        switch kind {
        case .timestamp:
            guard case .string(let text) = json else { throw wrongKind(json, "an RFC 3339 string", descriptor) }
            guard let (seconds, nanos) = ProtoJSONTime.parseTimestamp(text) else {
                throw ProtoJSONError(
                    .invalidTimestamp,
                    detail:
                        "\"\(text.prefix(64))\" is not an RFC 3339 timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z"
                )
            }
            return build(descriptor, [(1, .int64(seconds)), (2, .int32(nanos))])
        case .duration:
            guard case .string(let text) = json else {
                throw wrongKind(json, "a duration string such as \"1.5s\"", descriptor)
            }
            guard let (seconds, nanos) = ProtoJSONTime.parseDuration(text) else {
                throw ProtoJSONError(
                    .invalidDuration,
                    detail: "\"\(text.prefix(64))\" is not a duration such as \"-1.5s\" within ±315576000000s")
            }
            return build(descriptor, [(1, .int64(seconds)), (2, .int32(nanos))])
        case .fieldMask:
            guard case .string(let text) = json else {
                throw wrongKind(json, "a comma-separated string of paths", descriptor)
            }
            var paths: [ProtoValue] = []
            if !text.isEmpty {
                for path in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let snake = ProtoJSONFieldMask.snakeCase(String(path)) else {
                        throw ProtoJSONError(
                            .invalidFieldMask, detail: "field mask path \"\(path)\" is not lowerCamelCase")
                    }
                    paths.append(.string(snake))
                }
            }
            var message = DynamicMessage(descriptor: descriptor, schema: schema)
            if let position = descriptor.position(ofNumber: 1), !paths.isEmpty {
                message.replaceSlot(at: position, with: .repeated(paths))
            }
            return message
        case .structType:
            guard case .object(let members) = json else { throw wrongKind(json, "an object", descriptor) }
            return try structMessage(members, descriptor: descriptor, depth: depth)
        case .value:
            return try valueMessage(json, descriptor: descriptor, depth: depth)
        case .listValue:
            guard case .array(let elements) = json else { throw wrongKind(json, "an array", descriptor) }
            return try listMessage(elements, descriptor: descriptor, depth: depth)
        case .any:
            return try anyMessage(json, descriptor: descriptor, depth: depth)
        case .empty:
            guard case .object(let members) = json else { throw wrongKind(json, "an object", descriptor) }
            var message = DynamicMessage(descriptor: descriptor, schema: schema)
            try mergeFields(members, into: &message, depth: depth)
            return message
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            // Wrappers are written as their bare `value` (ProtoJSON: "Wrappers use the same representation in
            // JSON as the wrapped primitive type").
            guard let field = descriptor.field(number: 1) else {
                throw ProtoJSONError(.unknownType, detail: "\(descriptor.fullName) has no field 1")
            }
            if case .null = json { throw wrongKind(json, "a \(field.type.protoName)", descriptor) }
            guard let value = try element(json, field: field, depth: depth) else {
                return DynamicMessage(descriptor: descriptor, schema: schema)
            }
            return build(descriptor, [(1, value)])
        }
    }

    private func wrongKind(_ json: JSONValue, _ expected: String, _ descriptor: MessageDescriptor) -> ProtoJSONError {
        ProtoJSONError(
            .wrongType, detail: "expected \(expected) for \(descriptor.fullName), found \(json.kindDescription)")
    }

    /// A message of `descriptor` with the given singular fields (implicit-presence defaults left unset).
    func build(_ descriptor: MessageDescriptor, _ values: [(Int32, ProtoValue)]) -> DynamicMessage {
        var message = DynamicMessage(descriptor: descriptor, schema: schema)
        for (number, value) in values {
            guard let position = descriptor.position(ofNumber: number) else { continue }
            let field = descriptor.fields[position]
            if !field.hasPresence && value.isImplicitDefault { continue }
            message.replaceSlot(at: position, with: .single(value))
        }
        return message
    }

    private func nestedType(_ descriptor: MessageDescriptor, field number: Int32) throws(ProtoJSONError)
        -> (position: Int, type: MessageDescriptor)
    {
        guard let position = descriptor.position(ofNumber: number),
            let type = schema.messageType(of: descriptor.fields[position])
        else {
            throw ProtoJSONError(
                .unknownType, detail: "\(descriptor.fullName) field \(number) has no message type in the schema")
        }
        return (position, type)
    }

    private func structMessage(_ members: [JSONValue.Member], descriptor: MessageDescriptor, depth: Int)
        throws(ProtoJSONError) -> DynamicMessage
    {
        // Struct { map<string, Value> fields = 1; }: the entry type's value field is the Value type.
        let (position, entry) = try nestedType(descriptor, field: 1)
        guard entry.fields.count == 2, let valueType = schema.messageType(of: entry.fields[1]) else {
            throw ProtoJSONError(.unknownType, detail: "google.protobuf.Struct.fields has no Value type in the schema")
        }
        var entries: [ProtoValue: ProtoValue] = [:]
        entries.reserveCapacity(members.count)
        for member in members {
            do throws(ProtoJSONError) {
                entries[.string(member.key)] = .message(
                    try message(member.value, descriptor: valueType, depth: depth + 1))
            } catch {
                throw error.prepending(.key(member.key))
            }
        }
        var message = DynamicMessage(descriptor: descriptor, schema: schema)
        if !entries.isEmpty { message.replaceSlot(at: position, with: .map(entries)) }
        return message
    }

    private func listMessage(_ elements: [JSONValue], descriptor: MessageDescriptor, depth: Int)
        throws(ProtoJSONError) -> DynamicMessage
    {
        let (position, valueType) = try nestedType(descriptor, field: 1)
        var values: [ProtoValue] = []
        values.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(ProtoJSONError) {
                values.append(.message(try message(element, descriptor: valueType, depth: depth + 1)))
            } catch {
                throw error.prepending(.index(index))
            }
        }
        var message = DynamicMessage(descriptor: descriptor, schema: schema)
        if !values.isEmpty { message.replaceSlot(at: position, with: .repeated(values)) }
        return message
    }

    /// Value's kind is a oneof: null_value = 1, number_value = 2, string_value = 3, bool_value = 4,
    /// struct_value = 5, list_value = 6.
    private func valueMessage(_ json: JSONValue, descriptor: MessageDescriptor, depth: Int) throws(ProtoJSONError)
        -> DynamicMessage
    {
        let number: Int32
        let value: ProtoValue
        switch json {
        case .null:
            (number, value) = (1, .enumValue(0))
        case .number(let text):
            guard let double = Double(text), double.isFinite else {
                throw ProtoJSONError(.outOfRange, detail: "\(text) is out of range for a google.protobuf.Value number")
            }
            (number, value) = (2, .double(double))
        case .string(let text):
            (number, value) = (3, .string(text))
        case .bool(let flag):
            (number, value) = (4, .bool(flag))
        case .object(let members):
            let (_, structType) = try nestedType(descriptor, field: 5)
            (number, value) = (5, .message(try structMessage(members, descriptor: structType, depth: depth + 1)))
        case .array(let elements):
            let (_, listType) = try nestedType(descriptor, field: 6)
            (number, value) = (6, .message(try listMessage(elements, descriptor: listType, depth: depth + 1)))
        }
        var message = DynamicMessage(descriptor: descriptor, schema: schema)
        // Oneof members have presence: a null_value of 0 or a false bool_value is still set.
        if let position = descriptor.position(ofNumber: number) {
            message.replaceSlot(at: position, with: .single(value))
        }
        return message
    }

    /// `{"@type": "type.googleapis.com/pkg.Msg", ...fields}`, or `{"@type": ..., "value": ...}` when the packed type
    /// is a well-known type with its own JSON form (ProtoJSON spec, "Any").
    private func anyMessage(_ json: JSONValue, descriptor: MessageDescriptor, depth: Int) throws(ProtoJSONError)
        -> DynamicMessage
    {
        guard case .object(let members) = json else { throw wrongKind(json, "an object with \"@type\"", descriptor) }
        guard let typeMember = members.first(where: { $0.key == "@type" }) else {
            if members.isEmpty { return DynamicMessage(descriptor: descriptor, schema: schema) }
            throw ProtoJSONError(.invalidAny, detail: "a google.protobuf.Any with fields needs an \"@type\" member")
        }
        guard case .string(let url) = typeMember.value else {
            throw ProtoJSONError(
                .wrongType, path: JSONPath([.key("@type")]),
                detail: "\"@type\" must be a string, found \(typeMember.value.kindDescription)")
        }
        guard let slash = url.lastIndex(of: "/"), url.index(after: slash) < url.endIndex else {
            throw ProtoJSONError(
                .invalidAny, path: JSONPath([.key("@type")]), detail: "type URL \"\(url)\" has no type name after a '/'"
            )
        }
        let typeName = String(url[url.index(after: slash)...])
        guard let target = schema.message(named: typeName) else {
            throw ProtoJSONError(
                .unknownAnyType, path: JSONPath([.key("@type")]),
                detail: "\"@type\" names \(typeName), which the schema does not hold")
        }
        let rest = members.filter { $0.key != "@type" }
        let packed: DynamicMessage
        if let kind = ProtoJSON.WellKnown(rawValue: target.fullName), kind != .empty || !rest.isEmpty {
            // Empty is read in both forms: `{"@type": ...}` (a plain message with no fields, as swift-protobuf
            // writes it) and `{"@type": ..., "value": {}}` (the well-known-type form).
            guard rest.count == 1, let valueMember = rest.first, valueMember.key == "value" else {
                let key = rest.first { $0.key != "value" }?.key
                throw ProtoJSONError(
                    .invalidAny, path: key.map { JSONPath([.key($0)]) } ?? .root,
                    detail: "an Any holding \(typeName) must have exactly the members \"@type\" and \"value\"")
            }
            do throws(ProtoJSONError) {
                packed = try message(valueMember.value, descriptor: target, depth: depth + 1)
            } catch {
                throw error.prepending(.key("value"))
            }
        } else {
            var message = DynamicMessage(descriptor: target, schema: schema)
            try mergeFields(rest, into: &message, depth: depth + 1)
            packed = message
        }
        return build(descriptor, [(1, .string(url)), (2, .bytes(packed.serializedBytes()))])
    }
}
