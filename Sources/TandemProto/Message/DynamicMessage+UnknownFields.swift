extension DynamicMessage {
    /// The unknown fields of this message and of every message it holds (singular, repeated and map values).
    public var unknownFieldCountIncludingSubmessages: Int {
        var count = unknownFieldCount
        for (position, field) in descriptor.fields.enumerated() where field.type.isMessage {
            switch fieldValue(at: position) {
            case .single(.message(let sub)): count += sub.unknownFieldCountIncludingSubmessages
            case .repeated(let values):
                for case .message(let sub) in values { count += sub.unknownFieldCountIncludingSubmessages }
            case .map(let entries):
                for case .message(let sub) in entries.values { count += sub.unknownFieldCountIncludingSubmessages }
            default: break
            }
        }
        return count
    }
}

extension DynamicMessage {
    /// This message with no unknown field at any depth (in itself, or in any message it holds).
    public func removingUnknownFields() -> DynamicMessage {
        guard unknownFieldCountIncludingSubmessages > 0 else { return self }
        var copy = self
        if copy.unknownFieldCount > 0 { copy.unknownFields = [] }
        for (position, field) in descriptor.fields.enumerated() where field.type.isMessage {
            func stripped(_ value: ProtoValue) -> ProtoValue {
                if case .message(let sub) = value { return .message(sub.removingUnknownFields()) }
                return value
            }
            switch fieldValue(at: position) {
            case .single(let value): copy.replaceSlot(at: position, with: .single(stripped(value)))
            case .repeated(let values): copy.replaceSlot(at: position, with: .repeated(values.map(stripped)))
            case .map(let entries): copy.replaceSlot(at: position, with: .map(entries.mapValues(stripped)))
            case .unset: break
            }
        }
        return copy
    }
}

extension DynamicMessage {
    /// The field number of each of this message's own unknown fields, in the order they were read (a number once per
    /// occurrence; a closed enum's undeclared value is kept under its field's number).
    public var unknownFieldNumbers: [Int32] {
        guard unknownFieldCount > 0 else { return [] }
        return unknownFields.withUnsafeBytes { buffer in
            var reader = WireReader(buffer)
            var numbers: [Int32] = []
            while let (number, wireType) = try? reader.nextTag() {
                numbers.append(number)
                guard (try? reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 100)) != nil else {
                    break
                }
            }
            return numbers
        }
    }
}
