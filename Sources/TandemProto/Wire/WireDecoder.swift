/// Decodes protobuf binary fields into message storage, by descriptor, on top of ``WireReader``.
///
/// Errors leave the reader with an offset and are given their field path here, one component per level, as they
/// travel up.
struct WireDecoder {
    let schema: Schema
    let options: WireDecodingOptions

    /// Decodes fields from `reader` into `storage` until the reader's end or, for a group, through the end-group tag
    /// whose number is `group.number` (the group's start tag is at `group.offset`). `depth` is the depth of the
    /// message being filled (the top-level message is 1).
    func decodeFields(
        into storage: MessageStorage, reader: inout WireReader, depth: Int, group: (number: Int32, offset: Int)?
    ) throws(WireDecodingError) {
        let descriptor = storage.header.descriptor
        try storage.withUnsafeMutablePointerToElements { (slots) throws(WireDecodingError) in
            while let (number, wireType) = try reader.nextTag() {
                let tagStart = reader.tagOffset
                if wireType == .endGroup {
                    if let group, group.number == number { return }
                    throw WireDecodingError(.unmatchedEndGroup, offset: tagStart)
                }
                if let position = descriptor.position(ofNumber: number) {
                    let matched = try decodeField(
                        descriptor.fields[position], slot: slots + position, wireType: wireType, tagStart: tagStart,
                        reader: &reader, storage: storage, slots: slots, depth: depth)
                    if matched { continue }
                }
                // Undeclared numbers and wire types that do not match the declaration are kept as unknown fields,
                // as protobuf implementations do (protobuf.dev, "Encoding": unknown fields).
                try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: options.maxDepth - depth)
                keepUnknown(reader.bytes(in: tagStart..<reader.offset), in: storage)
            }
            if let group { throw WireDecodingError(.unterminatedGroup, offset: group.offset) }
        }
    }

    /// Decodes one occurrence of a declared field; returns `false` (having read nothing) when the wire type does
    /// not fit the declaration.
    @inline(__always)
    private func decodeField(
        _ field: FieldDescriptor, slot: UnsafeMutablePointer<DynamicMessage.FieldValue>, wireType: WireType,
        tagStart: Int, reader: inout WireReader, storage: MessageStorage,
        slots: UnsafeMutablePointer<DynamicMessage.FieldValue>, depth: Int
    ) throws(WireDecodingError) -> Bool {
        let type = field.type
        if field.isRepeated {
            if field.isMap {
                guard wireType == .lengthDelimited else { return false }
                try decodeMapEntry(
                    field, slot: slot, tagStart: tagStart, reader: &reader, storage: storage, depth: depth)
                return true
            }
            if type.isMessage {
                guard wireType == type.wireType, let messageType = schema.messageType(of: field) else { return false }
                var values: [ProtoValue] = []
                if case .repeated(let existing) = slot.pointee { values = existing }
                slot.pointee = .unset
                let index = values.count
                do {
                    let message = try decodeMessage(
                        field, type: messageType, wireType: wireType, tagStart: tagStart, reader: &reader,
                        depth: depth, merging: nil)
                    values.append(.message(DynamicMessage(storage: message)))
                } catch {
                    slot.pointee = values.isEmpty ? .unset : .repeated(values)
                    throw error.prefixed(with: "\(field.name)[\(index)]")
                }
                slot.pointee = .repeated(values)
                return true
            }
            // Parsers accept packed and unpacked encodings of packable fields whatever the declaration
            // (protobuf.dev, "Encoding": packed repeated fields).
            if wireType == .lengthDelimited && type.isPackable {
                try decodePacked(field, slot: slot, reader: &reader, storage: storage)
                return true
            }
            guard wireType == type.wireType else { return false }
            var values: [ProtoValue] = []
            if case .repeated(let existing) = slot.pointee { values = existing }
            let value: ProtoValue
            do { value = try readScalar(field, reader: &reader) } catch {
                throw error.prefixed(with: "\(field.name)[\(values.count)]")
            }
            if isUnknownClosedEnum(value, field) {
                keepUnknown(reader.bytes(in: tagStart..<reader.offset), in: storage)
                return true
            }
            slot.pointee = .unset
            values.append(value)
            slot.pointee = .repeated(values)
            return true
        }

        guard wireType == type.wireType else { return false }
        if type.isMessage {
            guard let messageType = schema.messageType(of: field) else { return false }
            // A singular message that occurs more than once is merged into the earlier value
            // (protobuf.dev, "Encoding": last one wins, embedded messages merge).
            var existing: MessageStorage? = nil
            if case .single(.message(let message)) = slot.pointee { existing = message.storage }
            slot.pointee = .unset
            let message: MessageStorage
            do {
                message = try decodeMessage(
                    field, type: messageType, wireType: wireType, tagStart: tagStart, reader: &reader, depth: depth,
                    merging: existing.take())
            } catch {
                throw error.prefixed(with: field.name)
            }
            if let oneof = field.oneofIndex { clearOneof(oneof, except: field.number, slots: slots, storage: storage) }
            slot.pointee = .single(.message(DynamicMessage(storage: message)))
            return true
        }
        let value: ProtoValue
        do { value = try readScalar(field, reader: &reader) } catch { throw error.prefixed(with: field.name) }
        // proto2 enums are closed: a number the enum does not declare is kept as an unknown field
        // (protobuf.dev, "Enum Behavior").
        if isUnknownClosedEnum(value, field) {
            keepUnknown(reader.bytes(in: tagStart..<reader.offset), in: storage)
            return true
        }
        if let oneof = field.oneofIndex { clearOneof(oneof, except: field.number, slots: slots, storage: storage) }
        // Last one wins for singular scalars; implicit-presence proto3 fields at their default are unset.
        slot.pointee = (!field.hasPresence && value.isImplicitDefault) ? .unset : .single(value)
        return true
    }

    /// Decodes a nested message (length-delimited) or group (up to its end tag) of `field`, into `existing` when
    /// given (merge), else into a new message.
    private func decodeMessage(
        _ field: FieldDescriptor, type: MessageDescriptor, wireType: WireType, tagStart: Int, reader: inout WireReader,
        depth: Int,
        merging existing: MessageStorage?
    ) throws(WireDecodingError) -> MessageStorage {
        guard depth < options.maxDepth else { throw WireDecodingError(.depthLimitExceeded, offset: tagStart) }
        let storage: MessageStorage
        if var existing {
            if !isKnownUniquelyReferenced(&existing) { existing = existing.copy() }
            storage = existing
        } else {
            storage = MessageStorage.make(descriptor: type, schema: schema)
        }
        if wireType == .startGroup {
            try decodeFields(into: storage, reader: &reader, depth: depth + 1, group: (field.number, tagStart))
        } else {
            let range = try reader.readLengthDelimited()
            var nested = reader.subReader(range)
            try decodeFields(into: storage, reader: &nested, depth: depth + 1, group: nil)
        }
        return storage
    }

    /// Decodes one packed run of a packable repeated field, appending to the values already read.
    private func decodePacked(
        _ field: FieldDescriptor, slot: UnsafeMutablePointer<DynamicMessage.FieldValue>, reader: inout WireReader,
        storage: MessageStorage
    ) throws(WireDecodingError) {
        var values: [ProtoValue] = []
        if case .repeated(let existing) = slot.pointee { values = existing }
        slot.pointee = .unset
        defer { slot.pointee = values.isEmpty ? .unset : .repeated(values) }
        let lengthStart = reader.offset
        let range: Range<Int>
        do { range = try reader.readLengthDelimited() } catch { throw error.prefixed(with: field.name) }
        var packed = reader.subReader(range)
        switch field.type.wireType {
        case .fixed32, .fixed64:
            let width = field.type.wireType == .fixed32 ? 4 : 8
            guard range.count % width == 0 else {
                throw WireDecodingError(.invalidPackedLength, offset: lengthStart, fieldPath: field.name)
            }
            values.reserveCapacity(values.count + range.count / width)
        default:
            // Every varint ends with exactly one byte below 0x80.
            var count = 0
            for byte in reader.bytes(in: range) where byte < 0x80 { count &+= 1 }
            values.reserveCapacity(values.count + count)
        }
        while !packed.isAtEnd {
            let value: ProtoValue
            do { value = try readScalar(field, reader: &packed) } catch {
                throw error.prefixed(with: "\(field.name)[\(values.count)]")
            }
            if isUnknownClosedEnum(value, field) {
                // Kept as an unpacked varint field, as protobuf C++ does (swift-protobuf keeps it packed).
                var bytes: [UInt8] = []
                WireFormat.appendVarint(WireFormat.tag(field.number, .varint), to: &bytes)
                WireFormat.appendVarint(UInt64(bitPattern: value.wireBits), to: &bytes)
                bytes.withUnsafeBytes { keepUnknown($0, in: storage) }
                continue
            }
            values.append(value)
        }
    }

    /// Decodes one map entry; a missing key or value takes its default, a later duplicate key wins, and an entry
    /// whose closed-enum value is unknown is kept whole as an unknown field.
    private func decodeMapEntry(
        _ field: FieldDescriptor, slot: UnsafeMutablePointer<DynamicMessage.FieldValue>, tagStart: Int,
        reader: inout WireReader, storage: MessageStorage, depth: Int
    ) throws(WireDecodingError) {
        guard depth < options.maxDepth else {
            throw WireDecodingError(.depthLimitExceeded, offset: tagStart, fieldPath: field.name)
        }
        let range: Range<Int>
        do { range = try reader.readLengthDelimited() } catch { throw error.prefixed(with: field.name) }
        guard let entryType = schema.messageType(of: field), entryType.fields.count == 2 else {
            keepUnknown(reader.bytes(in: tagStart..<reader.offset), in: storage)
            return
        }
        let keyField = entryType.fields[0]
        let valueField = entryType.fields[1]
        var entry = reader.subReader(range)
        var key: ProtoValue? = nil
        var value: ProtoValue? = nil
        var unknownEnum = false
        do throws(WireDecodingError) {
            while let (number, wireType) = try entry.nextTag() {
                if number == keyField.number && wireType == keyField.type.wireType && !keyField.type.isMessage {
                    key = try readScalar(keyField, reader: &entry)
                } else if number == valueField.number && wireType == valueField.type.wireType {
                    if valueField.type.isMessage, let valueType = schema.messageType(of: valueField) {
                        var existing: MessageStorage? = nil
                        if case .message(let message) = value { existing = message.storage }
                        value = nil
                        let message = try decodeMessage(
                            valueField, type: valueType, wireType: wireType, tagStart: entry.tagOffset, reader: &entry,
                            depth: depth + 1, merging: existing.take())
                        value = .message(DynamicMessage(storage: message))
                    } else if !valueField.type.isMessage {
                        let scalar = try readScalar(valueField, reader: &entry)
                        unknownEnum = isUnknownClosedEnum(scalar, valueField)
                        value = scalar
                    } else {
                        try entry.skipField(wireType: wireType, fieldNumber: number, maxDepth: 1)
                    }
                } else if wireType == .endGroup {
                    throw WireDecodingError(.unmatchedEndGroup, offset: entry.tagOffset)
                } else {
                    try entry.skipField(
                        wireType: wireType, fieldNumber: number, maxDepth: options.maxDepth - depth - 1)
                }
            }
        } catch {
            throw error.prefixed(with: key.map { Self.mapPath(field.name, key: $0) } ?? field.name)
        }
        if unknownEnum {
            keepUnknown(reader.bytes(in: tagStart..<reader.offset), in: storage)
            return
        }
        let finalKey = key ?? ProtoValue.defaultValue(of: keyField, schema: schema)
        let finalValue = value ?? ProtoValue.defaultValue(of: valueField, schema: schema)
        var entries: [ProtoValue: ProtoValue] = [:]
        if case .map(let existing) = slot.pointee { entries = existing }
        slot.pointee = .unset
        entries[finalKey] = finalValue
        slot.pointee = .map(entries)
    }

    /// Reads one value of a non-message field whose wire type has been checked.
    @inline(__always)
    private func readScalar(_ field: FieldDescriptor, reader: inout WireReader) throws(WireDecodingError)
        -> ProtoValue
    {
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum, .fixed32, .sfixed32, .float, .fixed64,
            .sfixed64, .double:
            let bits = try WireValues.readBits(field.type.wireType, from: &reader)
            return WireValues.scalar(bits: bits, as: field.type) ?? .uint64(bits)
        case .string:
            let range = try reader.readLengthDelimited()
            let raw = reader.bytes(in: range)
            let utf8 = raw.assumingMemoryBound(to: UInt8.self)
            // ASCII is valid UTF-8: decode it without the generic validating initializer.
            if Self.isASCII(raw) { return .string(String(decoding: utf8, as: UTF8.self)) }
            if let string = String(validating: utf8, as: UTF8.self) {
                return .string(string)
            }
            // proto3 strings must be valid UTF-8; a proto2 string keeps its exact bytes.
            if field.validatesUTF8 { throw WireDecodingError(.invalidUTF8, offset: range.lowerBound) }
            return .bytes(Array(raw))
        case .bytes:
            return .bytes(Array(reader.bytes(in: try reader.readLengthDelimited())))
        case .message, .group:
            try reader.skipField(wireType: field.type.wireType, fieldNumber: field.number, maxDepth: 0)
            return .bytes([])
        }
    }

    /// Whether `raw` is valid UTF-8 (ASCII checked eight bytes at a time first).
    @inline(__always)
    static func isValidUTF8(_ raw: UnsafeRawBufferPointer) -> Bool {
        isASCII(raw) || String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self) != nil
    }

    /// Whether every byte is below 0x80 (eight bytes at a time).
    @inline(__always)
    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        let count = raw.count
        guard count > 0, let base = raw.baseAddress else { return true }
        var index = 0
        var bits: UInt64 = 0
        while index &+ 8 <= count {
            bits |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        while index < count {
            bits |= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            index &+= 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    @inline(__always)
    private func isUnknownClosedEnum(_ value: ProtoValue, _ field: FieldDescriptor) -> Bool {
        guard case .enumValue(let number) = value, let index = field.enumIndex, index < schema.enums.count else {
            return false
        }
        let enumType = schema.enums[index]
        return enumType.isClosed && enumType.name(of: number) == nil
    }

    private func clearOneof(
        _ oneofIndex: Int, except number: Int32, slots: UnsafeMutablePointer<DynamicMessage.FieldValue>,
        storage: MessageStorage
    ) {
        let descriptor = storage.header.descriptor
        guard oneofIndex < descriptor.oneofs.count else { return }
        let members = descriptor.oneofs[oneofIndex].fieldNumbers
        guard members.count > 1 else { return }
        for member in members where member != number {
            if let position = descriptor.position(ofNumber: member) { slots[position] = .unset }
        }
    }

    private func keepUnknown(_ bytes: UnsafeRawBufferPointer, in storage: MessageStorage) {
        guard options.keepsUnknownFields else { return }
        storage.header.unknownFields.append(contentsOf: bytes)
        storage.header.unknownCount &+= 1
    }

    /// The path component of a map entry: `attrs["k"]`, `counts[7]`.
    static func mapPath(_ name: String, key: ProtoValue) -> String {
        switch key {
        case .string(let s): return "\(name)[\(s.debugDescription)]"
        case .int32(let v): return "\(name)[\(v)]"
        case .int64(let v): return "\(name)[\(v)]"
        case .uint32(let v): return "\(name)[\(v)]"
        case .uint64(let v): return "\(name)[\(v)]"
        case .bool(let v): return "\(name)[\(v)]"
        default: return name
        }
    }
}
