import TandemProto

extension Transcoder {
    // MARK: Scalars

    /// A singular number, bool or enum: the last occurrence wins, as in decoding.
    func emitScalar(
        _ entry: Entry, containers: Containers, payload: Payload,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let sourceWireType = entry.sourceType.wireType
        var last: UInt64? = nil
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == sourceWireType else { return false }
            let bits = try WireValues.readBits(wireType, from: &reader)
            if !isUnknownClosedEnum(bits, entry) { last = bits }
            return true
        }
        // Explicit presence: an absent source leaves the v1 field absent (DESIGN 4).
        if entry.sourceHasPresence && last == nil { return true }
        let value = last.map { WireValues.scalar(bits: $0, as: entry.sourceType) } ?? zero(entry)
        guard let value else { return false }
        if entry.zeroSourceIsUnset && value.isImplicitDefault { return true }
        guard let converted = convert(value, entry) else { return false }
        append(converted, entry, to: &out)
        return true
    }

    /// A repeated number, bool or enum: every element of every packed and unpacked run, in order.
    func emitRepeatedScalar(
        _ entry: Entry, containers: Containers, payload: Payload,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let sourceWireType = entry.sourceType.wireType
        var values: [ProtoValue] = []
        var representable = true
        func add(_ bits: UInt64) {
            guard !isUnknownClosedEnum(bits, entry) else { return }
            guard let value = WireValues.scalar(bits: bits, as: entry.sourceType), let converted = convert(value, entry)
            else {
                representable = false
                return
            }
            values.append(converted)
        }
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            if wireType == .lengthDelimited {
                var packed = reader.subReader(try reader.readLengthDelimited())
                while !packed.isAtEnd { add(try WireValues.readBits(sourceWireType, from: &packed)) }
                return true
            }
            guard wireType == sourceWireType else { return false }
            add(try WireValues.readBits(wireType, from: &reader))
            return true
        }
        guard representable else { return false }
        guard !values.isEmpty else { return true }
        if entry.v1IsPacked {
            WireValues.appendTag(entry.v1Number, .lengthDelimited, to: &out)
            WireValues.appendPacked(values, as: entry.v1Type, to: &out)
        } else {
            for value in values {
                WireValues.appendTag(entry.v1Number, entry.v1Type.wireType, to: &out)
                WireValues.appendScalar(value, as: entry.v1Type, to: &out)
            }
        }
        return true
    }

    /// Strings to strings and bytes to bytes, singular (last wins) or repeated.
    func emitCopy(
        _ entry: Entry, containers: Containers, payload: Payload,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        // A proto2 string that is not UTF-8 decodes as bytes; the message path decides what becomes of it.
        let checksUTF8 = entry.sourceChecksUTF8
        let v1Number = entry.v1Number
        if entry.sourceIsRepeated {
            var valid = true
            try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
                (wireType, reader, _) throws(WireDecodingError) in
                guard wireType == .lengthDelimited else { return false }
                let value = reader.bytes(in: try reader.readLengthDelimited())
                if checksUTF8 && !WireValidator.isValidUTF8(value) { valid = false }
                WireValues.appendTag(v1Number, .lengthDelimited, to: &out)
                WireValues.appendLengthDelimited(value, to: &out)
                return true
            }
            return valid
        }
        var last: Range<Int>? = nil
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            last = try reader.readLengthDelimited()
            return true
        }
        if entry.sourceHasPresence && last == nil { return true }
        let value = WireReader(payload.buffer).bytes(in: last ?? 0..<0)
        if entry.zeroSourceIsUnset && value.isEmpty { return true }
        if checksUTF8 && !WireValidator.isValidUTF8(value) { return false }
        // Implicit presence: the empty value is not written.
        if !entry.v1HasPresence && value.isEmpty { return true }
        WireValues.appendTag(v1Number, .lengthDelimited, to: &out)
        WireValues.appendLengthDelimited(value, to: &out)
        return true
    }

    /// A google.protobuf.Timestamp as integer milliseconds or seconds (DESIGN 3), its occurrences merged.
    func emitTimestamp(
        _ entry: Entry, containers: Containers, payload: Payload,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        var present = false
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            present = true
            var timestamp = reader.subReader(try reader.readLengthDelimited())
            // Timestamp: int64 seconds = 1, int32 nanos = 2; other wire types are unknown fields.
            while let (number, fieldWireType) = try timestamp.nextTag() {
                if number == 1 && fieldWireType == .varint {
                    seconds = Int64(bitPattern: try timestamp.readVarint())
                } else if number == 2 && fieldWireType == .varint {
                    nanos = Int64(Int32(truncatingIfNeeded: try timestamp.readVarint()))
                } else {
                    try timestamp.skipField(wireType: fieldWireType, fieldNumber: number, maxDepth: 0)
                }
            }
            return true
        }
        guard present else { return true }
        guard
            let result = IntegerValue.timestamp(
                seconds: seconds, nanos: nanos, millis: entry.kind == .timestampMillis),
            let narrowed = IntegerValue.narrow(Int128(result), to: entry.v1Type)
        else { return false }
        append(narrowed, entry, to: &out)
        return true
    }

    // MARK: Values

    /// The v1 value of one v2 scalar, or `nil` when it is unrepresentable or does not fit the v1 field.
    @inline(__always)
    func convert(_ value: ProtoValue, _ entry: Entry) -> ProtoValue? {
        switch entry.kind {
        case .integer:
            guard let integer = IntegerValue.of(value) else { return nil }
            return IntegerValue.narrow(integer, to: entry.v1Type)
        case .same:
            return value
        case .enumTable:
            if case .enumValue(let number) = value, number >= 0 {
                let table = enumTables[entry.slot]
                if Int(number) < table.count && table[Int(number)] != Int64.min {
                    return .enumValue(Int32(truncatingIfNeeded: table[Int(number)]))
                }
            }
        default:
            break
        }
        var issues: [String: ProtoValue] = [:]
        let v1Field = v1Fields[entry.slot]
        guard
            case .value(let converted) = projection.convertValue(
                value, from: sources[entry.slot], to: v1Field, converts[entry.slot], path: "", issues: &issues),
            issues.isEmpty, converted.fits(v1Field)
        else { return nil }
        return converted
    }

    /// Whether the encoder leaves singular v1 `value` out: an implicit-presence field's default.
    @inline(__always)
    func isUnwritten(_ value: ProtoValue, _ entry: Entry) -> Bool {
        !entry.v1HasPresence && value.isImplicitDefault
    }

    /// Appends a singular v1 value as the encoder writes it (see ``isUnwritten(_:_:)``).
    @inline(__always)
    func append(_ value: ProtoValue, _ entry: Entry, to out: inout [UInt8]) {
        if isUnwritten(value, entry) { return }
        WireValues.appendTag(entry.v1Number, entry.v1Type.wireType, to: &out)
        WireValues.appendScalar(value, as: entry.v1Type, to: &out)
    }

    /// The value an implicit-presence source reads as when absent.
    @inline(__always)
    private func zero(_ entry: Entry) -> ProtoValue? {
        zeros[entry.slot]
    }

    @inline(__always)
    func isUnknownClosedEnum(_ bits: UInt64, _ entry: Entry) -> Bool {
        guard entry.closedEnum >= 0 else { return false }
        return validator.isUnknown(Int32(truncatingIfNeeded: bits), inClosedEnum: entry.closedEnum)
    }
}
