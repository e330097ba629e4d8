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
