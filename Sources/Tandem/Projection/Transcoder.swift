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
struct Transcoder: Sendable {
    /// A transcoded record.
    struct Output {
        /// The canonical v1 bytes of the projected record.
        let bytes: [UInt8]
        /// The unknown fields the decoded v2 record keeps, at every level.
        let unknownFields: Int
    }

    /// How one whitelist entry is transcoded.
    enum Kind: Sendable {
        /// A varint or fixed-width value (number, bool, enum) through ``Projection/convertValue``; enum results of
        /// declared v2 values are computed once, at compile time.
        case scalar(enumTable: [Int32: ProtoValue])
        /// String to string or bytes to bytes, copied.
        case copy
        /// google.protobuf.Timestamp to integer milliseconds or seconds.
        case timestamp(millis: Bool)
        /// Through ``Projection``, from a message of `container` type holding the field's occurrences.
        case general(container: MessageDescriptor)
    }

    /// One compiled whitelist entry.
    struct Entry: Sendable {
        /// The entry's index in ``MigrationPlan/resolved``.
        let index: Int
        /// The v2 field numbers of the messages along the source path, outermost first (the source excluded).
        let path: [Int32]
        /// The v2 source field.
        let source: FieldDescriptor
        /// The v1 field.
        let v1Field: FieldDescriptor
        /// The entry's convert.
        let convert: FieldConvert?
        /// The closed v2 enum of the source, whose undeclared values the decoder keeps as unknown fields.
        let closedEnum: EnumDescriptor?
        /// How the entry is transcoded.
        let kind: Kind
    }

    /// The projection the transcoder follows.
    let projection: Projection
    /// The entries, in the v1 message's field order (the order of the canonical encoding).
    let entries: [Entry]

    /// Compiles the projection; `nil` when its plan has a shape the transcoder leaves to the message path (a source
    /// path through a repeated or group field, a v1 message with more than 64 oneofs).
    init?(projection: Projection) {
        let plan = projection.plan
        let v2Schema = plan.v2.schema
        var entries: [Entry] = []
        for (index, resolved) in plan.resolved.enumerated() {
            let v1Field = resolved.v1Field
            if let oneof = v1Field.oneofIndex, oneof >= 64 { return nil }
            var container = plan.v2Message
            var path: [Int32] = []
            for step in resolved.sourcePath.dropLast() {
                guard step.type == .message, !step.isRepeated, let next = v2Schema.messageType(of: step) else {
                    return nil
                }
                path.append(step.number)
                container = next
            }
            let source = resolved.source
            let sourceEnum = v2Schema.enumType(of: source)
            entries.append(
                Entry(
                    index: index, path: path, source: source, v1Field: v1Field, convert: resolved.convert,
                    closedEnum: sourceEnum?.isClosed == true ? sourceEnum : nil,
                    kind: Self.kind(of: resolved, container: container, projection: projection)))
        }
        let v1Message = plan.v1Message
        entries.sort {
            (v1Message.position(ofNumber: $0.v1Field.number) ?? 0) < (v1Message.position(ofNumber: $1.v1Field.number) ?? 0)
        }
        self.projection = projection
        self.entries = entries
    }

    private static func kind(of resolved: ResolvedEntry, container: MessageDescriptor, projection: Projection) -> Kind {
        let source = resolved.source
        let v1Field = resolved.v1Field
        let general = Kind.general(container: container)
        guard !source.isMap, !v1Field.isMap, source.isRepeated == v1Field.isRepeated, !v1Field.type.isMessage else {
            return general
        }
        switch (resolved.convert, source.type, v1Field.type) {
        case (.timestampMillis, .message, _), (.timestampSeconds, .message, _):
            guard !source.isRepeated, source.typeName == "google.protobuf.Timestamp" else { return general }
            if case .timestampMillis = resolved.convert { return .timestamp(millis: true) }
            return .timestamp(millis: false)
        case (nil, .string, .string), (nil, .bytes, .bytes):
            return .copy
        case (nil, _, _), (.enumMap, _, _), (.toString, _, _):
            guard WireValues.scalar(bits: 0, as: source.type) != nil else { return general }
            var table: [Int32: ProtoValue] = [:]
            if source.type == .enum, let v2Enum = projection.plan.v2.schema.enumType(of: source) {
                for value in v2Enum.values {
                    var issues: [String: ProtoValue] = [:]
                    if case .value(let converted) = projection.convertValue(
                        .enumValue(value.number), from: source, to: v1Field, resolved.convert, path: "",
                        issues: &issues), issues.isEmpty
                    {
                        table[value.number] = converted
                    }
                }
            }
            return .scalar(enumTable: table)
        default:
            return general
        }
    }

    /// The projected record of `bytes` (a v2 payload) in canonical v1 bytes, or `nil` when the message path must
    /// decide (see the type's description).
    func transcode(_ bytes: [UInt8], options: WireDecodingOptions = .init()) -> Output? {
        let plan = projection.plan
        return bytes.withUnsafeBytes { buffer -> Output? in
            let validator = WireValidator(schema: plan.v2.schema, options: options)
            guard let unknown = validator.unknownFieldCount(of: buffer, as: plan.v2Message) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(buffer.count)
            // The v1 oneofs set so far: a second member set would clear the first, which the message path decides.
            var oneofsSet: UInt64 = 0
            do {
                for entry in entries {
                    let start = out.count
                    guard try emit(entry, buffer: buffer, options: options, into: &out) else { return nil }
                    if let oneof = entry.v1Field.oneofIndex, !entry.v1Field.isProto3Optional, out.count > start {
                        guard oneofsSet & (1 << oneof) == 0 else { return nil }
                        oneofsSet |= 1 << oneof
                    }
                }
            } catch {
                return nil
            }
            return Output(bytes: out, unknownFields: unknown)
        }
    }

    // MARK: Entries

    /// Appends one entry's v1 field; `false` when the value cannot be represented (the message path reports it).
    private func emit(_ entry: Entry, buffer: UnsafeRawBufferPointer, options: WireDecodingOptions, into out: inout [UInt8])
        throws(WireDecodingError) -> Bool
    {
        let whole = 0..<buffer.count
        if entry.path.isEmpty {
            return try emit(entry, containers: CollectionOfOne(whole), buffer: buffer, options: options, into: &out)
        }
        var containers = [whole]
        for number in entry.path {
            var next: [Range<Int>] = []
            try Self.forEachOccurrence(of: number, in: containers, buffer: buffer) {
                (wireType, reader) throws(WireDecodingError) in
                guard wireType == .lengthDelimited else { return false }
                next.append(try reader.readLengthDelimited())
                return true
            }
            containers = next
        }
        return try emit(entry, containers: containers, buffer: buffer, options: options, into: &out)
    }

    private func emit(
        _ entry: Entry, containers: some Collection<Range<Int>>, buffer: UnsafeRawBufferPointer,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        switch entry.kind {
        case .scalar(let table):
            if entry.source.isRepeated {
                return try emitRepeatedScalar(entry, table: table, containers: containers, buffer: buffer, into: &out)
            }
            return try emitScalar(entry, table: table, containers: containers, buffer: buffer, into: &out)
        case .copy:
            return try emitCopy(entry, containers: containers, buffer: buffer, into: &out)
        case .timestamp(let millis):
            return try emitTimestamp(entry, millis: millis, containers: containers, buffer: buffer, into: &out)
        case .general(let container):
            return emitGeneral(
                entry, container: container, containers: containers, buffer: buffer, options: options, into: &out)
        }
    }

    /// A singular number, bool or enum: the last occurrence wins, as in decoding.
    private func emitScalar(
        _ entry: Entry, table: [Int32: ProtoValue], containers: some Collection<Range<Int>>,
        buffer: UnsafeRawBufferPointer, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let source = entry.source
        let sourceWireType = source.type.wireType
        var last: UInt64? = nil
        try Self.forEachOccurrence(of: source.number, in: containers, buffer: buffer) {
            (wireType, reader) throws(WireDecodingError) in
            guard wireType == sourceWireType else { return false }
            let bits = try WireValues.readBits(wireType, from: &reader)
            if !isUnknownClosedEnum(bits, entry) { last = bits }
            return true
        }
        // Explicit presence: an absent source leaves the v1 field absent (DESIGN 4).
        if source.hasPresence && last == nil { return true }
        guard let value = last.map({ WireValues.scalar(bits: $0, as: source.type) }) ?? zero(of: source),
            let converted = convert(value, entry, table: table)
        else { return false }
        append(converted, entry.v1Field, to: &out)
        return true
    }

    /// A repeated number, bool or enum: every element of every packed and unpacked run, in order.
    private func emitRepeatedScalar(
        _ entry: Entry, table: [Int32: ProtoValue], containers: some Collection<Range<Int>>,
        buffer: UnsafeRawBufferPointer, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let source = entry.source
        let sourceWireType = source.type.wireType
        var values: [ProtoValue] = []
        var representable = true
        func add(_ bits: UInt64) {
            guard !isUnknownClosedEnum(bits, entry) else { return }
            guard let value = WireValues.scalar(bits: bits, as: source.type), let converted = convert(value, entry, table: table)
            else {
                representable = false
                return
            }
            values.append(converted)
        }
        try Self.forEachOccurrence(of: source.number, in: containers, buffer: buffer) {
            (wireType, reader) throws(WireDecodingError) in
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
        let v1Field = entry.v1Field
        if v1Field.isPacked && v1Field.type.isPackable {
            var payload: [UInt8] = []
            for value in values { WireValues.appendScalar(value, as: v1Field.type, to: &payload) }
            WireValues.appendTag(v1Field.number, .lengthDelimited, to: &out)
            payload.withUnsafeBytes { WireValues.appendLengthDelimited($0, to: &out) }
        } else {
            for value in values {
                WireValues.appendTag(v1Field.number, v1Field.type.wireType, to: &out)
                WireValues.appendScalar(value, as: v1Field.type, to: &out)
            }
        }
        return true
    }

    /// Strings to strings and bytes to bytes, singular (last wins) or repeated.
    private func emitCopy(
        _ entry: Entry, containers: some Collection<Range<Int>>, buffer: UnsafeRawBufferPointer,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let source = entry.source
        let v1Field = entry.v1Field
        // A proto2 string that is not UTF-8 decodes as bytes; the message path decides what becomes of it.
        let checksUTF8 = source.type == .string && !source.validatesUTF8
        var valid = true
        if source.isRepeated {
            try Self.forEachOccurrence(of: source.number, in: containers, buffer: buffer) {
                (wireType, reader) throws(WireDecodingError) in
                guard wireType == .lengthDelimited else { return false }
                let payload = reader.bytes(in: try reader.readLengthDelimited())
                if checksUTF8 && !WireValidator.isValidUTF8(payload) { valid = false }
                WireValues.appendTag(v1Field.number, .lengthDelimited, to: &out)
                WireValues.appendLengthDelimited(payload, to: &out)
                return true
            }
            return valid
        }
        var last: Range<Int>? = nil
        try Self.forEachOccurrence(of: source.number, in: containers, buffer: buffer) {
            (wireType, reader) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            last = try reader.readLengthDelimited()
            return true
        }
        if source.hasPresence && last == nil { return true }
        let payload = WireReader(buffer).bytes(in: last ?? 0..<0)
        if checksUTF8 && !WireValidator.isValidUTF8(payload) { return false }
        // Implicit presence: the empty value is not written.
        if !v1Field.hasPresence && payload.isEmpty { return true }
        WireValues.appendTag(v1Field.number, .lengthDelimited, to: &out)
        WireValues.appendLengthDelimited(payload, to: &out)
        return true
    }

    /// A google.protobuf.Timestamp as integer milliseconds or seconds (DESIGN 3), its occurrences merged.
    private func emitTimestamp(
        _ entry: Entry, millis: Bool, containers: some Collection<Range<Int>>, buffer: UnsafeRawBufferPointer,
        into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        var present = false
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        try Self.forEachOccurrence(of: entry.source.number, in: containers, buffer: buffer) {
            (wireType, reader) throws(WireDecodingError) in
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
        var result = seconds
        if millis {
            let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            let (sum, overflow2) = scaled.addingReportingOverflow(IntegerValue.floorDivide(nanos, 1_000_000))
            guard !overflow, !overflow2 else { return false }
            result = sum
        }
        guard let narrowed = IntegerValue.narrow(Int128(result), to: entry.v1Field.type),
            narrowed.fits(entry.v1Field)
        else { return false }
        append(narrowed, entry.v1Field, to: &out)
        return true
    }

    /// Any other entry: the field's occurrences decoded alone as their container message, then projected.
    private func emitGeneral(
        _ entry: Entry, container: MessageDescriptor, containers: some Collection<Range<Int>>,
        buffer: UnsafeRawBufferPointer, options: WireDecodingOptions, into out: inout [UInt8]
    ) -> Bool {
        let plan = projection.plan
        // Concatenated occurrences decode as the merged field (protobuf.dev, "Encoding": last one wins, merging).
        var subset: [UInt8] = []
        do {
            try Self.forEachOccurrence(of: entry.source.number, in: containers, buffer: buffer) {
                (wireType, reader) throws(WireDecodingError) in
                let start = reader.tagOffset
                try reader.skipField(wireType: wireType, fieldNumber: entry.source.number, maxDepth: 0)
                subset.append(contentsOf: reader.bytes(in: start..<reader.offset))
                return true
            }
        } catch {
            return false
        }
        guard
            let message = try? DynamicMessage(
                decoding: subset, as: container, schema: plan.v2.schema, options: options)
        else { return false }
        var projected = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        var issues: [String: ProtoValue] = [:]
        projection.projectEntry(
            entry.index, from: message, containerPresent: !containers.isEmpty, into: &projected, issues: &issues)
        guard issues.isEmpty else { return false }
        projected.append(to: &out)
        return true
    }

    // MARK: Values

    /// The v1 value of one v2 scalar, or `nil` when it is unrepresentable or does not fit the v1 field.
    @inline(__always)
    private func convert(_ value: ProtoValue, _ entry: Entry, table: [Int32: ProtoValue]) -> ProtoValue? {
        if case .enumValue(let number) = value, let mapped = table[number] { return mapped }
        var issues: [String: ProtoValue] = [:]
        guard
            case .value(let converted) = projection.convertValue(
                value, from: entry.source, to: entry.v1Field, entry.convert, path: "", issues: &issues),
            issues.isEmpty, converted.fits(entry.v1Field)
        else { return nil }
        return converted
    }

    /// Appends a singular v1 value as the encoder writes it (an implicit-presence default is not written).
    @inline(__always)
    private func append(_ value: ProtoValue, _ v1Field: FieldDescriptor, to out: inout [UInt8]) {
        if !v1Field.hasPresence && value.isImplicitDefault { return }
        WireValues.appendTag(v1Field.number, v1Field.type.wireType, to: &out)
        WireValues.appendScalar(value, as: v1Field.type, to: &out)
    }

    private func zero(of field: FieldDescriptor) -> ProtoValue {
        ProtoValue.zero(of: field, schema: projection.plan.v2.schema)
    }

    @inline(__always)
    private func isUnknownClosedEnum(_ bits: UInt64, _ entry: Entry) -> Bool {
        guard let closedEnum = entry.closedEnum else { return false }
        return closedEnum.name(of: Int32(truncatingIfNeeded: bits)) == nil
    }

    /// Calls `body` at each occurrence of field `number` in the `containers` ranges of `buffer`, in order, with the
    /// reader just past the tag; `body` reads the value and returns `true`, or returns `false` to have it skipped.
    private static func forEachOccurrence(
        of number: Int32, in containers: some Collection<Range<Int>>, buffer: UnsafeRawBufferPointer,
        _ body: (WireType, inout WireReader) throws(WireDecodingError) -> Bool
    ) throws(WireDecodingError) {
        for range in containers {
            var reader = WireReader(buffer, range: range)
            while let (fieldNumber, wireType) = try reader.nextTag() {
                if fieldNumber == number, try body(wireType, &reader) { continue }
                try reader.skipField(wireType: wireType, fieldNumber: fieldNumber, maxDepth: 0)
            }
        }
    }
}
