import TandemProto

/// A plan's projection compiled to run on v2 payload bytes: it writes the canonical v1 bytes of the projected record
/// straight from the v2 bytes, without building either message (DESIGN 8: the streaming v2 -> v1 transcoder).
///
/// Scalars, enums, strings and bytes, and timestamps converted to integers are transcoded directly, at any source
/// path; every other whitelist entry (maps, sub-messages projected by name, named converts...) is projected through
/// ``Projection`` from a message decoded from that field's occurrences alone. The output is, byte for byte, the
/// canonical encoding of ``Projection/project(_:)`` applied to the decoded payload. A payload the transcoder cannot
/// vouch for gets `nil` and the caller takes the message path: one that does not decode or that ``WireValidator``
/// declines, and one with a value the v1 shape cannot represent.
final class Transcoder: Sendable {
    /// A transcoded record.
    struct Output {
        /// The canonical v1 bytes of the projected record.
        let bytes: [UInt8]
        /// The unknown fields the decoded v2 record keeps, at every level.
        let unknownFields: Int
    }

    /// How one whitelist entry is transcoded.
    enum Kind: UInt8, Sendable {
        /// An integer to an integer field, narrowed only when the value fits.
        case integer
        /// A bool, float or double to a field of the same type: the value as it is.
        case same
        /// An enum to an enum, through the entry's table of declared v2 values (others through ``scalar``).
        case enumTable
        /// Any other varint or fixed-width value, through ``Projection/convertValue``.
        case scalar
        /// String to string or bytes to bytes, copied.
        case copy
        /// google.protobuf.Timestamp to integer milliseconds.
        case timestampMillis
        /// google.protobuf.Timestamp to integer seconds.
        case timestampSeconds
        /// Through ``Projection``, from a message of the entry's container type holding the field's occurrences.
        case general
    }

    /// One compiled whitelist entry, in plain values (copying it retains nothing).
    struct Entry: Sendable {
        /// The entry's position in ``entries`` and in the per-entry arrays.
        var slot = 0
        /// The entry's index in ``MigrationPlan/resolved``.
        var index = 0
        /// Where the v2 field numbers of the messages along the source path start in ``paths``, and how many.
        var pathStart = 0
        var pathCount = 0
        var sourceNumber: Int32 = 0
        var sourceType: FieldType = .int32
        var sourceHasPresence = false
        var sourceIsRepeated = false
        /// A proto2 string copied as a string: its bytes must be checked (when not UTF-8 it decodes as bytes).
        var sourceChecksUTF8 = false
        /// The source's closed enum, as a slot of the validator's (``WireValidator/closedEnumSlot(ofField:in:)``);
        /// -1 for none.
        var closedEnum: Int32 = -1
        var v1Number: Int32 = 0
        var v1Type: FieldType = .int32
        var v1HasPresence = false
        var v1IsPacked = false
        /// The v1 field's real oneof; -1 for none.
        var v1Oneof = -1
        var kind: Kind = .general
    }

    /// The projection the transcoder follows.
    let projection: Projection
    /// The entries, in the v1 message's field order (the order of the canonical encoding).
    let entries: [Entry]
    /// The source path numbers of every entry (see ``Entry/pathStart``).
    private let paths: [Int32]
    /// Per entry: the v1 number of each declared v2 enum number (by number; `Int64.min` where the message path
    /// decides), for ``Kind/enumTable``.
    private let enumTables: [[Int64]]
    /// Per entry: the descriptors and convert, for ``Kind/scalar`` and ``Kind/general``.
    private let sources: [FieldDescriptor]
    private let v1Fields: [FieldDescriptor]
    private let converts: [FieldConvert?]
    /// Per entry: the v2 message holding the source (for ``Kind/general``).
    private let containerTypes: [MessageDescriptor]
    private let validator: WireValidator
    private let v2Message: MessageDescriptor
    private let v2Schema: Schema

    /// Compiles the projection; `nil` when its plan has a shape the transcoder leaves to the message path (a source
    /// path through a repeated or group field, a v1 message with more than 64 oneofs).
    init?(projection: Projection) {
        let plan = projection.plan
        let v2Schema = plan.v2.schema
        var compiled:
            [(
                entry: Entry, table: [Int64], source: FieldDescriptor, v1Field: FieldDescriptor,
                convert: FieldConvert?, container: MessageDescriptor
            )] = []
        var paths: [Int32] = []
        let validator = WireValidator(schema: v2Schema)
        for (index, resolved) in plan.resolved.enumerated() {
            let v1Field = resolved.v1Field
            var entry = Entry()
            entry.index = index
            if let oneof = v1Field.oneofIndex, !v1Field.isProto3Optional {
                guard oneof < 64 else { return nil }
                entry.v1Oneof = oneof
            }
            var container = plan.v2Message
            entry.pathStart = paths.count
            for step in resolved.sourcePath.dropLast() {
                guard step.type == .message, !step.isRepeated, let next = v2Schema.messageType(of: step) else {
                    return nil
                }
                paths.append(step.number)
                container = next
            }
            entry.pathCount = paths.count - entry.pathStart
            let source = resolved.source
            entry.sourceNumber = source.number
            entry.sourceType = source.type
            entry.sourceHasPresence = source.hasPresence
            entry.sourceIsRepeated = source.isRepeated
            entry.sourceChecksUTF8 = source.type == .string && !source.validatesUTF8
            entry.closedEnum = validator.closedEnumSlot(ofField: source.number, in: container)
            entry.v1Number = v1Field.number
            entry.v1Type = v1Field.type
            entry.v1HasPresence = v1Field.hasPresence
            entry.v1IsPacked = v1Field.isPacked && v1Field.type.isPackable
            entry.kind = Self.kind(of: resolved)
            var table: [Int64] = []
            if entry.kind == .enumTable, let v2Enum = v2Schema.enumType(of: source),
                let highest = v2Enum.values.map(\.number).max(), highest >= 0, highest < 4096
            {
                table = Array(repeating: Int64.min, count: Int(highest) + 1)
                for value in v2Enum.values where value.number >= 0 {
                    var issues: [String: ProtoValue] = [:]
                    if case .value(.enumValue(let converted)) = projection.convertValue(
                        .enumValue(value.number), from: source, to: v1Field, resolved.convert, path: "",
                        issues: &issues), issues.isEmpty
                    {
                        table[Int(value.number)] = Int64(converted)
                    }
                }
            }
            compiled.append((entry, table, source, v1Field, resolved.convert, container))
        }
        let v1Message = plan.v1Message
        compiled.sort {
            (v1Message.position(ofNumber: $0.entry.v1Number) ?? 0)
                < (v1Message.position(ofNumber: $1.entry.v1Number) ?? 0)
        }
        for slot in compiled.indices { compiled[slot].entry.slot = slot }
        self.projection = projection
        self.entries = compiled.map(\.entry)
        self.paths = paths
        self.enumTables = compiled.map(\.table)
        self.sources = compiled.map(\.source)
        self.v1Fields = compiled.map(\.v1Field)
        self.converts = compiled.map(\.convert)
        self.containerTypes = compiled.map(\.container)
        self.validator = validator
        self.v2Message = plan.v2Message
        self.v2Schema = v2Schema
    }

    private static func kind(of resolved: ResolvedEntry) -> Kind {
        let source = resolved.source
        let v1Field = resolved.v1Field
        guard !source.isMap, !v1Field.isMap, source.isRepeated == v1Field.isRepeated, !v1Field.type.isMessage else {
            return .general
        }
        switch (resolved.convert, source.type, v1Field.type) {
        case (.timestampMillis, .message, _), (.timestampSeconds, .message, _):
            guard !source.isRepeated, source.typeName == "google.protobuf.Timestamp" else { return .general }
            if case .timestampMillis = resolved.convert { return .timestampMillis }
            return .timestampSeconds
        case (nil, .string, .string), (nil, .bytes, .bytes):
            return .copy
        case (nil, .enum, .enum), (.enumMap, .enum, .enum):
            return .enumTable
        case (nil, let from, let to) where from == to && (from == .bool || from == .float || from == .double):
            return .same
        case (nil, let from, let to) where Self.isInteger(from) && Self.isInteger(to):
            return .integer
        case (nil, _, _), (.enumMap, _, _), (.toString, _, _):
            // Varint and fixed-width values are exactly the packable types.
            return source.type.isPackable ? .scalar : .general
        default:
            return .general
        }
    }

    private static func isInteger(_ type: FieldType) -> Bool {
        switch type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .fixed32, .fixed64, .sfixed32, .sfixed64: return true
        default: return false
        }
    }

    /// The projected record of `bytes` (a v2 payload) in canonical v1 bytes, or `nil` when the message path must
    /// decide (see the type's description).
    func transcode(_ bytes: [UInt8], options: WireDecodingOptions = .init()) -> Output? {
        bytes.withUnsafeBytes { buffer -> Output? in
            var occurrences: [WireOccurrence] = []
            occurrences.reserveCapacity(32)
            guard
                let unknown = validator.unknownFieldCount(
                    of: buffer, as: v2Message, options: options, recording: &occurrences)
            else { return nil }
            let payload = Payload(buffer: buffer, occurrences: occurrences)
            var out: [UInt8] = []
            out.reserveCapacity(buffer.count)
            // The v1 oneofs set so far: a second member set would clear the first, which the message path decides.
            var oneofsSet: UInt64 = 0
            do {
                for slot in entries.indices {
                    let entry = entries[slot]
                    let start = out.count
                    guard try emit(entry, payload: payload, options: options, into: &out) else { return nil }
                    if entry.v1Oneof >= 0 && out.count > start {
                        guard oneofsSet & (1 << entry.v1Oneof) == 0 else { return nil }
                        oneofsSet |= 1 << entry.v1Oneof
                    }
                }
            } catch {
                return nil
            }
            return Output(bytes: out, unknownFields: unknown)
        }
    }

    // MARK: Entries

    /// The payload being transcoded: its bytes and its top-level field occurrences, in order.
    struct Payload {
        let buffer: UnsafeRawBufferPointer
        let occurrences: [WireOccurrence]
    }

    /// The messages holding an entry's source: the top-level message, or the occurrences of the last message along
    /// the source path (empty when some message along it is absent).
    enum Containers {
        case top
        case nested([Range<Int>])

        /// Whether every message along the source path is present.
        var arePresent: Bool {
            if case .nested(let ranges) = self { return !ranges.isEmpty }
            return true
        }
    }

    /// Appends one entry's v1 field; `false` when the value cannot be represented (the message path reports it).
    private func emit(_ entry: Entry, payload: Payload, options: WireDecodingOptions, into out: inout [UInt8])
        throws(WireDecodingError) -> Bool
    {
        var containers = Containers.top
        for number in paths[entry.pathStart..<(entry.pathStart + entry.pathCount)] {
            var next: [Range<Int>] = []
            try Self.forEachOccurrence(of: number, in: containers, payload: payload) {
                (wireType, reader, _) throws(WireDecodingError) in
                guard wireType == .lengthDelimited else { return false }
                next.append(try reader.readLengthDelimited())
                return true
            }
            containers = .nested(next)
        }
        return try emit(entry, containers: containers, payload: payload, options: options, into: &out)
    }

    private func emit(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        switch entry.kind {
        case .integer, .same, .enumTable, .scalar:
            if entry.sourceIsRepeated {
                return try emitRepeatedScalar(entry, containers: containers, payload: payload, into: &out)
            }
            return try emitScalar(entry, containers: containers, payload: payload, into: &out)
        case .copy:
            return try emitCopy(entry, containers: containers, payload: payload, into: &out)
        case .timestampMillis, .timestampSeconds:
            return try emitTimestamp(entry, containers: containers, payload: payload, into: &out)
        case .general:
            return emitGeneral(entry, containers: containers, payload: payload, options: options, into: &out)
        }
    }

    /// A singular number, bool or enum: the last occurrence wins, as in decoding.
    private func emitScalar(
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
        guard let value, let converted = convert(value, entry) else { return false }
        append(converted, entry, to: &out)
        return true
    }

    /// A repeated number, bool or enum: every element of every packed and unpacked run, in order.
    private func emitRepeatedScalar(
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
    private func emitCopy(
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
        if checksUTF8 && !WireValidator.isValidUTF8(value) { return false }
        // Implicit presence: the empty value is not written.
        if !entry.v1HasPresence && value.isEmpty { return true }
        WireValues.appendTag(v1Number, .lengthDelimited, to: &out)
        WireValues.appendLengthDelimited(value, to: &out)
        return true
    }

    /// A google.protobuf.Timestamp as integer milliseconds or seconds (DESIGN 3), its occurrences merged.
    private func emitTimestamp(
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

    /// Any other entry: the field's occurrences decoded alone as their container message, then projected.
    private func emitGeneral(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) -> Bool {
        // Concatenated occurrences decode as the merged field (protobuf.dev, "Encoding": last one wins, merging).
        var subset: [UInt8] = []
        do {
            try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
                (wireType, reader, start) throws(WireDecodingError) in
                try reader.skipField(wireType: wireType, fieldNumber: entry.sourceNumber, maxDepth: 0)
                subset.append(contentsOf: reader.bytes(in: start..<reader.offset))
                return true
            }
        } catch {
            return false
        }
        guard
            let message = try? DynamicMessage(
                decoding: subset, as: containerTypes[entry.slot], schema: v2Schema, options: options)
        else { return false }
        let plan = projection.plan
        var projected = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        var issues: [String: ProtoValue] = [:]
        projection.projectEntry(
            entry.index, from: message, containerPresent: containers.arePresent, into: &projected, issues: &issues)
        guard issues.isEmpty else { return false }
        projected.append(to: &out)
        return true
    }

    // MARK: Values

    /// The v1 value of one v2 scalar, or `nil` when it is unrepresentable or does not fit the v1 field.
    @inline(__always)
    private func convert(_ value: ProtoValue, _ entry: Entry) -> ProtoValue? {
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

    /// Appends a singular v1 value as the encoder writes it (an implicit-presence default is not written).
    @inline(__always)
    private func append(_ value: ProtoValue, _ entry: Entry, to out: inout [UInt8]) {
        if !entry.v1HasPresence && value.isImplicitDefault { return }
        WireValues.appendTag(entry.v1Number, entry.v1Type.wireType, to: &out)
        WireValues.appendScalar(value, as: entry.v1Type, to: &out)
    }

    /// The value an implicit-presence source reads as when absent.
    private func zero(_ entry: Entry) -> ProtoValue? {
        ProtoValue.zero(of: sources[entry.slot], schema: v2Schema)
    }

    @inline(__always)
    private func isUnknownClosedEnum(_ bits: UInt64, _ entry: Entry) -> Bool {
        guard entry.closedEnum >= 0 else { return false }
        return validator.isUnknown(Int32(truncatingIfNeeded: bits), inClosedEnum: entry.closedEnum)
    }

    /// Calls `body` at each occurrence of field `number` in `containers`, in order, with the reader just past the
    /// tag and the tag's offset; `body` reads the value and returns `true`, or returns `false` to have it skipped.
    @inline(__always)
    private static func forEachOccurrence(
        of number: Int32, in containers: Containers, payload: Payload,
        _ body: (WireType, inout WireReader, Int) throws(WireDecodingError) -> Bool
    ) throws(WireDecodingError) {
        switch containers {
        case .top:
            // The validator recorded the top-level occurrences: no tag is read twice.
            let whole = payload.buffer.count
            for occurrence in payload.occurrences where occurrence.number == number {
                var reader = WireReader(payload.buffer, range: occurrence.valueOffset..<whole)
                if try body(occurrence.wireType, &reader, occurrence.tagOffset) { continue }
            }
        case .nested(let ranges):
            for range in ranges {
                var reader = WireReader(payload.buffer, range: range)
                while let (fieldNumber, wireType) = try reader.nextTag() {
                    let tagOffset = reader.tagOffset
                    if fieldNumber == number, try body(wireType, &reader, tagOffset) { continue }
                    try reader.skipField(wireType: wireType, fieldNumber: fieldNumber, maxDepth: 0)
                }
            }
        }
    }
}
