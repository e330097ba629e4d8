import TandemProto

/// Projects v2 records onto the v1 shape the shadow keeps (DESIGN 2 and 3).
///
/// Only whitelisted v1 fields are filled, each from its v2 path (into and out of sub-messages), through its
/// convert. Message fields project recursively by sub-field name; a present-but-empty sub-message stays present.
/// Integers narrow only when the value fits; enums map by the plan's map, then by value name, then by number.
public struct Projection: Sendable {
    /// The plan the projection follows.
    public let plan: MigrationPlan

    /// Creates the projection of a plan.
    public init(plan: MigrationPlan) {
        self.plan = plan
    }

    /// Projects a v2 record (decoded with the plan's v2 schema) onto the v1 shape.
    public func project(_ primary: DynamicMessage) -> ProjectedRecord {
        var out = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        var issues: [String: ProtoValue] = [:]
        // Entries are read in place by index (copying a ResolvedEntry retains every string of its descriptors).
        let resolved = plan.resolved
        for index in resolved.indices {
            var container = primary
            var present = true
            let steps = resolved[index].sourcePath.count - 1
            for step in 0..<steps {
                // An absent intermediate message makes the source absent; its implicit-presence fields read as
                // their defaults, exactly as they would in an empty sub-message.
                let number = resolved[index].sourcePath[step].number
                if !container.has(number) { present = false }
                guard let next = container.get(number)?.messageValue else {
                    present = false
                    break
                }
                container = next
            }
            projectField(
                from: container, v2Field: resolved[index].sourcePath[steps], containerPresent: present, into: &out,
                v1Field: resolved[index].v1Field, convert: resolved[index].convert,
                path: resolved[index].v1Field.name, issues: &issues)
        }
        return ProjectedRecord(message: out, unrepresentable: issues)
    }

    /// Projects the whitelist entry at `index` of ``MigrationPlan/resolved`` from `container`, the v2 message that
    /// holds its source field (`containerPresent`: whether every message along the source path is set), into `out`.
    func projectEntry(
        _ index: Int, from container: DynamicMessage, containerPresent: Bool, into out: inout DynamicMessage,
        issues: inout [String: ProtoValue]
    ) {
        let resolved = plan.resolved
        projectField(
            from: container, v2Field: resolved[index].source, containerPresent: containerPresent, into: &out,
            v1Field: resolved[index].v1Field, convert: resolved[index].convert, path: resolved[index].v1Field.name,
            issues: &issues)
    }

    /// Trims a legacy v1 record (decoded with the plan's v1 schema) to the whitelisted fields, without unknown fields
    /// at any depth (the engine counts those when the record is written).
    public func whitelist(_ legacyV1: DynamicMessage) -> DynamicMessage {
        var out = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        for entry in plan.resolved {
            guard let from = legacyV1.descriptor.position(ofNumber: entry.v1Field.number),
                let to = plan.v1Message.position(ofNumber: entry.v1Field.number)
            else { continue }
            out.replaceSlot(at: to, with: legacyV1.fieldValue(at: from))
        }
        return out.removingUnknownFields()
    }

    // MARK: Fields

    private func projectField(
        from container: DynamicMessage, v2Field: FieldDescriptor, containerPresent: Bool,
        into out: inout DynamicMessage, v1Field: FieldDescriptor, convert: FieldConvert?, path: String,
        issues: inout [String: ProtoValue]
    ) {
        let v1Schema = plan.v1.schema
        let v2Schema = container.schema
        if v1Field.isMap {
            guard containerPresent, let v1Entry = v1Schema.messageType(of: v1Field),
                let v2Entry = v2Schema.messageType(of: v2Field), v1Entry.fields.count == 2, v2Entry.fields.count == 2
            else { return }
            for (key, value) in container.mapEntries(v2Field.number) {
                guard
                    case .value(let v1Key) = convertValue(
                        key, from: v2Entry.fields[0], to: v1Entry.fields[0], nil, path: path, issues: &issues)
                else {
                    issues[DiffPath.key(path, key)] = value
                    continue
                }
                let elementPath = DiffPath.key(path, v1Key)
                var v1Value: ProtoValue
                switch convertValue(
                    value, from: v2Entry.fields[1], to: v1Entry.fields[1], convert, path: elementPath, issues: &issues)
                {
                case .value(let converted): v1Value = converted
                case .unrepresentable(let shown):
                    issues[elementPath] = shown
                    v1Value = .zero(of: v1Entry.fields[1], schema: v1Schema)
                }
                do {
                    try out.setMapValue(v1Value, forKey: v1Key, in: v1Field.number)
                } catch {
                    issues[elementPath] = value
                    v1Value = .zero(of: v1Entry.fields[1], schema: v1Schema)
                    try? out.setMapValue(v1Value, forKey: v1Key, in: v1Field.number)
                }
            }
            return
        }
        if v1Field.isRepeated {
            guard containerPresent else { return }
            let values = container.repeatedValues(v2Field.number)
            guard !values.isEmpty else { return }
            var converted: [ProtoValue] = []
            converted.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                let elementPath = DiffPath.index(path, index)
                switch convertValue(value, from: v2Field, to: v1Field, convert, path: elementPath, issues: &issues) {
                case .value(let element): converted.append(element)
                case .unrepresentable(let shown):
                    issues[elementPath] = shown
                    converted.append(.zero(of: v1Field, schema: v1Schema))
                }
            }
            do {
                try out.setRepeated(v1Field.number, to: converted)
            } catch {
                // A named convert returned values of the wrong type: every element is unrepresentable.
                for (index, value) in values.enumerated() { issues[DiffPath.index(path, index)] = value }
                try? out.setRepeated(
                    v1Field.number, to: values.map { _ in .zero(of: v1Field, schema: v1Schema) })
            }
            return
        }
        // Explicit presence: an absent source leaves the v1 field absent (DESIGN 4).
        if v2Field.hasPresence && !(containerPresent && container.has(v2Field.number)) { return }
        guard let value = container.get(v2Field.number) else { return }
        // An implicit-presence source at its zero is unset, and leaves an explicit-presence v1 field unset, whatever
        // the convert: two unset fields agree whatever defaults their schemas declare (DESIGN 4).
        if !v2Field.hasPresence && v1Field.hasPresence && value.isImplicitDefault { return }
        switch convertValue(value, from: v2Field, to: v1Field, convert, path: path, issues: &issues) {
        case .value(let converted):
            do {
                try out.set(v1Field.number, to: converted)
            } catch {
                issues[path] = value
            }
        case .unrepresentable(let shown):
            issues[path] = shown
        }
    }

    /// The outcome of converting one value.
    enum Outcome {
        /// The v1 value.
        case value(ProtoValue)
        /// The value does not fit the v1 field; the payload is what the comparison shows (the v2 value,
        /// unnarrowed).
        case unrepresentable(ProtoValue)
    }

    /// Converts one element (a singular value, a repeated element, a map key or value).
    func convertValue(
        _ value: ProtoValue, from v2Field: FieldDescriptor, to v1Field: FieldDescriptor, _ convert: FieldConvert?,
        path: String, issues: inout [String: ProtoValue]
    ) -> Outcome {
        switch convert {
        case nil:
            return plainConvert(value, from: v2Field, to: v1Field, path: path, issues: &issues)
        case .timestampMillis, .timestampSeconds:
            guard let timestamp = value.messageValue else { return .unrepresentable(value) }
            let seconds = timestamp.get(named: "seconds")?.int64Value ?? 0
            let nanos = timestamp.get(named: "nanos")?.int64Value ?? 0
            let millis: Bool
            if case .timestampMillis = convert { millis = true } else { millis = false }
            guard let result = IntegerValue.timestamp(seconds: seconds, nanos: nanos, millis: millis) else {
                return .unrepresentable(value)
            }
            guard let narrowed = IntegerValue.narrow(Int128(result), to: v1Field.type) else {
                return .unrepresentable(.int64(result))
            }
            return .value(narrowed)
        case .unwrap:
            guard let wrapper = value.messageValue, let inner = wrapper.descriptor.field(number: 1),
                let wrapped = wrapper.get(1)
            else { return .unrepresentable(value) }
            return plainConvert(wrapped, from: inner, to: v1Field, path: path, issues: &issues)
        case .stringBytes:
            switch value {
            case .string(let text): return .value(.bytes(Array(text.utf8)))
            case .bytes: return .value(value)
            default: return .unrepresentable(value)
            }
        case .bytesString:
            guard case .bytes(let bytes) = value else { return .unrepresentable(value) }
            if let text = String(validating: bytes, as: UTF8.self) { return .value(.string(text)) }
            // proto3 strings must be valid UTF-8; a proto2 string keeps the bytes as they are.
            return v1Field.validatesUTF8 ? .unrepresentable(value) : .value(.bytes(bytes))
        case .toString:
            if let integer = IntegerValue.of(value) { return .value(.string(String(integer))) }
            switch value {
            case .float(let number): return .value(.string(String(describing: number)))
            case .double(let number): return .value(.string(String(describing: number)))
            default: return .unrepresentable(value)
            }
        case .enumMap(let map):
            guard case .enumValue(let number) = value else { return .unrepresentable(value) }
            return mapEnum(number, from: v2Field, to: v1Field, map: map)
        case .named(let name):
            guard let function = plan.converts.convert(named: name) else { return .unrepresentable(value) }
            do {
                return .value(try function(value))
            } catch {
                return .unrepresentable(value)
            }
        }
    }

    private func plainConvert(
        _ value: ProtoValue, from v2Field: FieldDescriptor, to v1Field: FieldDescriptor, path: String,
        issues: inout [String: ProtoValue]
    ) -> Outcome {
        switch v1Field.type {
        case .message, .group:
            guard let message = value.messageValue, let v1Type = plan.v1.schema.messageType(of: v1Field) else {
                return .unrepresentable(value)
            }
            return .value(.message(projectMessage(message, as: v1Type, path: path, issues: &issues)))
        case .enum:
            guard case .enumValue(let number) = value else { return .unrepresentable(value) }
            return mapEnum(number, from: v2Field, to: v1Field, map: [:])
        case .float:
            switch value {
            case .float: return .value(value)
            case .double(let number):
                let narrowed = Float(number)
                // A double that float cannot hold exactly is not truncated silently (DESIGN 3).
                if number.isNaN || Double(narrowed) == number { return .value(.float(narrowed)) }
                return .unrepresentable(value)
            default: return .unrepresentable(value)
            }
        case .double:
            switch value {
            case .double: return .value(value)
            case .float(let number): return .value(.double(Double(number)))
            default: return .unrepresentable(value)
            }
        case .bool, .string, .bytes:
            return .value(value)
        default:
            guard let integer = IntegerValue.of(value), let narrowed = IntegerValue.narrow(integer, to: v1Field.type)
            else { return .unrepresentable(value) }
            return .value(narrowed)
        }
    }

    /// DESIGN 3: enums match by the plan's map, then by value name, then by number.
    private func mapEnum(
        _ number: Int32, from v2Field: FieldDescriptor, to v1Field: FieldDescriptor, map: [String: String]
    )
        -> Outcome
    {
        guard let v1Enum = plan.v1.schema.enumType(of: v1Field) else { return .unrepresentable(.enumValue(number)) }
        if let v2Name = plan.v2.schema.enumType(of: v2Field)?.name(of: number) {
            if let v1Number = v1Enum.number(named: map[v2Name] ?? v2Name) { return .value(.enumValue(v1Number)) }
        }
        // A closed (proto2) v1 enum cannot hold a number it does not declare.
        if v1Enum.name(of: number) != nil || !v1Enum.isClosed { return .value(.enumValue(number)) }
        return .unrepresentable(.enumValue(number))
    }

    /// Projects a sub-message by field name (DESIGN 3: numbers may differ, v2-only sub-fields are dropped).
    private func projectMessage(
        _ message: DynamicMessage, as v1Type: MessageDescriptor, path: String, issues: inout [String: ProtoValue]
    ) -> DynamicMessage {
        var out = DynamicMessage(descriptor: v1Type, schema: plan.v1.schema)
        for v1Sub in v1Type.fields {
            guard let v2Sub = message.descriptor.field(named: v1Sub.name) else { continue }
            projectField(
                from: message, v2Field: v2Sub, containerPresent: true, into: &out, v1Field: v1Sub, convert: nil,
                path: DiffPath.field(path, v1Sub.name), issues: &issues)
        }
        return out
    }
}
