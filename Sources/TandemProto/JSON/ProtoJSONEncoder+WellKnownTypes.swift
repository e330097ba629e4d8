extension ProtoJSONEncoder {
    /// A well-known type in its special JSON form (ProtoJSON spec, "Well-known types" table).
    func wellKnown(_ kind: ProtoJSON.WellKnown, _ message: DynamicMessage, depth: Int) throws(ProtoJSONError)
        -> JSONValue
    {
        switch kind {
        case .timestamp:
            let (seconds, nanos) = secondsAndNanos(message)
            guard let text = ProtoJSONTime.formatTimestamp(seconds: seconds, nanos: nanos) else {
                throw ProtoJSONError(
                    .invalidTimestamp,
                    detail:
                        "Timestamp {seconds: \(seconds), nanos: \(nanos)} is outside 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z"
                )
            }
            return .string(text)
        case .duration:
            let (seconds, nanos) = secondsAndNanos(message)
            guard let text = ProtoJSONTime.formatDuration(seconds: seconds, nanos: nanos) else {
                throw ProtoJSONError(
                    .invalidDuration,
                    detail:
                        "Duration {seconds: \(seconds), nanos: \(nanos)} is out of range or its seconds and nanos disagree in sign"
                )
            }
            return .string(text)
        case .fieldMask:
            var paths: [String] = []
            for value in message.repeatedValues(1) {
                guard case .string(let path) = value, let camel = ProtoJSONFieldMask.camelCase(path) else {
                    throw ProtoJSONError(
                        .invalidFieldMask, detail: "field mask path \(value) has no lowerCamelCase form")
                }
                paths.append(camel)
            }
            return .string(paths.joined(separator: ","))
        case .structType:
            return try structObject(message, depth: depth)
        case .listValue:
            var elements: [JSONValue] = []
            for (index, value) in message.repeatedValues(1).enumerated() {
                guard case .message(let nested) = value else { continue }
                do throws(ProtoJSONError) {
                    elements.append(try valueJSON(nested, depth: depth + 1))
                } catch {
                    throw error.prepending(.index(index))
                }
            }
            return .array(elements)
        case .value:
            return try valueJSON(message, depth: depth)
        case .any:
            return try anyObject(message, depth: depth)
        case .empty:
            return .object([])
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            guard let field = message.descriptor.field(number: 1), let value = message.get(1) else {
                throw ProtoJSONError(.unknownType, detail: "\(message.descriptor.fullName) has no field 1")
            }
            return try element(value, field: field, schema: message.schema, depth: depth)
        }
    }

    private func secondsAndNanos(_ message: DynamicMessage) -> (Int64, Int32) {
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        if case .int64(let s)? = message.get(1) { seconds = s }
        if case .int32(let n)? = message.get(2) { nanos = n }
        return (seconds, nanos)
    }

    private func structObject(_ message: DynamicMessage, depth: Int) throws(ProtoJSONError) -> JSONValue {
        let entries = message.mapEntries(1).sorted { WireEncoder.keyPrecedes($0.key, $1.key) }
        var members: [JSONValue.Member] = []
        members.reserveCapacity(entries.count)
        for (key, value) in entries {
            guard case .string(let name) = key, case .message(let nested) = value else { continue }
            do throws(ProtoJSONError) {
                members.append(.init(name, try valueJSON(nested, depth: depth + 1)))
            } catch {
                throw error.prepending(.key(name))
            }
        }
        return .object(members)
    }

    /// google.protobuf.Value: whichever member of its `kind` oneof is set.
    private func valueJSON(_ message: DynamicMessage, depth: Int) throws(ProtoJSONError) -> JSONValue {
        guard depth <= Self.depthLimit else {
            throw ProtoJSONError(.depthLimit, detail: "values nested deeper than \(Self.depthLimit) levels")
        }
        for (position, field) in message.descriptor.fields.enumerated() {
            guard case .single(let value) = message.fieldValue(at: position) else { continue }
            switch (field.number, value) {
            case (1, _): return .null
            case (2, .double(let number)):
                if let json = JSONValue.double(number) { return json }
                // ProtoJSON: a Value cannot hold NaN or infinity (JSON numbers cannot).
                if strict {
                    throw ProtoJSONError(
                        .invalidValue, detail: "google.protobuf.Value number_value \(number) has no JSON form")
                }
                return ProtoJSONScalars.json(number)
            case (3, .string(let text)): return .string(text)
            case (4, .bool(let flag)): return .bool(flag)
            case (5, .message(let nested)): return try structObject(nested, depth: depth + 1)
            case (6, .message(let nested)): return try wellKnown(.listValue, nested, depth: depth + 1)
            default: continue
            }
        }
        if strict {
            throw ProtoJSONError(.invalidValue, detail: "google.protobuf.Value has no kind set")
        }
        return .null
    }

    private func anyObject(_ message: DynamicMessage, depth: Int) throws(ProtoJSONError) -> JSONValue {
        var url = ""
        var bytes: [UInt8] = []
        if case .string(let text)? = message.get(1) { url = text }
        if case .bytes(let value)? = message.get(2) { bytes = value }
        if url.isEmpty && bytes.isEmpty { return .object([]) }
        guard let slash = url.lastIndex(of: "/"), url.index(after: slash) < url.endIndex else {
            throw ProtoJSONError(.invalidAny, detail: "type URL \"\(url)\" has no type name after a '/'")
        }
        let typeName = String(url[url.index(after: slash)...])
        guard let target = message.schema.message(named: typeName) else {
            throw ProtoJSONError(
                .unknownAnyType, detail: "Any's type URL names \(typeName), which the schema does not hold")
        }
        let packed: DynamicMessage
        do {
            packed = try DynamicMessage(decoding: bytes, as: target, schema: message.schema)
        } catch {
            throw ProtoJSONError(.invalidAny, detail: "Any's value does not decode as \(typeName): \(error)")
        }
        let typeMember = JSONValue.Member("@type", .string(url))
        // Empty is written as a plain message with no fields (`{"@type": ...}`), as swift-protobuf writes it;
        // readers accept that form for any message type.
        if let kind = ProtoJSON.WellKnown(rawValue: target.fullName), kind != .empty {
            let value = try self.message(packed, depth: depth + 1)
            return .object([typeMember, .init("value", value)])
        }
        guard case .object(let members) = try fields(packed, depth: depth + 1) else { return .object([typeMember]) }
        return .object([typeMember] + members)
    }
}
