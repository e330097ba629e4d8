/// Canonical protobuf binary encoding of dynamic messages, in two passes: ``measure(_:)`` computes the size of
/// every nested message once (in pre-order, into ``sizes``), then ``write(_:to:)`` writes, taking each length prefix
/// from ``sizes`` in the same order, so nested messages are never measured twice or copied.
///
/// Canonical form: known fields in field-number order; packed encoding for fields whose declaration packs them;
/// map entries sorted by key with both key and value written; groups as start/end tags; unknown fields last,
/// as they were read.
struct WireEncoder {
    /// The sizes of nested messages, map entries and packed payloads, in traversal order.
    private(set) var sizes: [Int] = []
    private var cursor = 0

    /// The encoded size of `storage`, recording nested sizes for ``write(_:to:)``.
    mutating func measure(_ storage: MessageStorage) -> Int {
        let descriptor = storage.header.descriptor
        let fields = descriptor.fields
        var total = storage.header.unknownFields.count
        storage.withUnsafeMutablePointerToElements { slots in
            for position in 0..<storage.header.count {
                let field = fields[position]
                switch slots[position] {
                case .unset:
                    continue
                case .single(let value):
                    total &+= measureElement(field, value)
                case .repeated(let values):
                    if field.isPacked && field.type.isPackable {
                        let payload = Self.packedPayloadSize(field.type, values)
                        sizes.append(payload)
                        total &+= Self.tagSize(field.number) &+ WireFormat.varintSize(UInt64(payload)) &+ payload
                    } else {
                        for value in values { total &+= measureElement(field, value) }
                    }
                case .map(let entries):
                    total &+= measureMap(field, entries, schema: storage.header.schema)
                }
            }
        }
        return total
    }

    /// Writes `storage`, taking nested sizes recorded by ``measure(_:)``.
    mutating func write(_ storage: MessageStorage, to writer: inout WireWriter) {
        let descriptor = storage.header.descriptor
        let fields = descriptor.fields
        storage.withUnsafeMutablePointerToElements { slots in
            for position in 0..<storage.header.count {
                let field = fields[position]
                switch slots[position] {
                case .unset:
                    continue
                case .single(let value):
                    writeElement(field, value, to: &writer)
                case .repeated(let values):
                    // proto3 repeated scalars are packed unless declared [packed = false]; proto2 only when declared
                    // [packed = true] (protobuf.dev, "Encoding": packed repeated fields).
                    if field.isPacked && field.type.isPackable {
                        writer.writeTag(field.number, .lengthDelimited)
                        writer.writeVarint(UInt64(nextSize()))
                        for value in values { Self.writeScalar(field.type, value, to: &writer) }
                    } else {
                        for value in values { writeElement(field, value, to: &writer) }
                    }
                case .map(let entries):
                    writeMap(field, entries, schema: storage.header.schema, to: &writer)
                }
            }
        }
        writer.writeBytes(storage.header.unknownFields)
    }

    // MARK: Elements

    private mutating func measureElement(_ field: FieldDescriptor, _ value: ProtoValue) -> Int {
        switch field.type {
        case .message:
            guard case .message(let message) = value else { return 0 }
            let slot = sizes.count
            sizes.append(0)
            let size = measure(message.storage)
            sizes[slot] = size
            return Self.tagSize(field.number) &+ WireFormat.varintSize(UInt64(size)) &+ size
        case .group:
            guard case .message(let message) = value else { return 0 }
            return 2 &* Self.tagSize(field.number) &+ measure(message.storage)
        default:
            return Self.tagSize(field.number) &+ Self.scalarSize(field.type, value)
        }
    }

    private mutating func writeElement(_ field: FieldDescriptor, _ value: ProtoValue, to writer: inout WireWriter) {
        switch field.type {
        case .message:
            guard case .message(let message) = value else { return }
            writer.writeTag(field.number, .lengthDelimited)
            writer.writeVarint(UInt64(nextSize()))
            write(message.storage, to: &writer)
        case .group:
            guard case .message(let message) = value else { return }
            writer.writeTag(field.number, .startGroup)
            write(message.storage, to: &writer)
            writer.writeTag(field.number, .endGroup)
        default:
            writer.writeTag(field.number, field.type.wireType)
            Self.writeScalar(field.type, value, to: &writer)
        }
    }

    // MARK: Maps

    private mutating func measureMap(
        _ field: FieldDescriptor, _ entries: [ProtoValue: ProtoValue], schema: Schema
    ) -> Int {
        guard let entryType = schema.messageType(of: field), entryType.fields.count == 2 else { return 0 }
        let keyField = entryType.fields[0]
        let valueField = entryType.fields[1]
        var total = 0
        for key in Self.sortedKeys(entries) {
            guard let value = entries[key] else { continue }
            let slot = sizes.count
            sizes.append(0)
            let size =
                Self.tagSize(keyField.number) &+ Self.scalarSize(keyField.type, key)
                &+ measureElement(valueField, value)
            sizes[slot] = size
            total &+= Self.tagSize(field.number) &+ WireFormat.varintSize(UInt64(size)) &+ size
        }
        return total
    }

    private mutating func writeMap(
        _ field: FieldDescriptor, _ entries: [ProtoValue: ProtoValue], schema: Schema, to writer: inout WireWriter
    ) {
        guard let entryType = schema.messageType(of: field), entryType.fields.count == 2 else { return }
        let keyField = entryType.fields[0]
        let valueField = entryType.fields[1]
        // Map entries are written sorted by key so that equal maps encode to equal bytes.
        for key in Self.sortedKeys(entries) {
            guard let value = entries[key] else { continue }
            writer.writeTag(field.number, .lengthDelimited)
            writer.writeVarint(UInt64(nextSize()))
            writer.writeTag(keyField.number, keyField.type.wireType)
            Self.writeScalar(keyField.type, key, to: &writer)
            writeElement(valueField, value, to: &writer)
        }
    }

    /// Map keys in canonical order: numbers by value, `false` before `true`, strings by UTF-8 bytes.
    static func sortedKeys(_ entries: [ProtoValue: ProtoValue]) -> [ProtoValue] {
        entries.keys.sorted(by: keyPrecedes)
    }

    static func keyPrecedes(_ a: ProtoValue, _ b: ProtoValue) -> Bool {
        switch (a, b) {
        case (.int32(let x), .int32(let y)): return x < y
        case (.int64(let x), .int64(let y)): return x < y
        case (.uint32(let x), .uint32(let y)): return x < y
        case (.uint64(let x), .uint64(let y)): return x < y
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        // A proto2 string key that is not UTF-8 is held as bytes; it sorts among the strings by its bytes.
        case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
        case (.string(let x), .bytes(let y)): return x.utf8.lexicographicallyPrecedes(y)
        case (.bytes(let x), .string(let y)): return x.lexicographicallyPrecedes(y.utf8)
        default:
            // Mixed cases cannot come from decoding; order them by case, then value, to stay a strict order.
            let (rankA, rankB) = (caseRank(a), caseRank(b))
            return rankA != rankB ? rankA < rankB : a.wireBits < b.wireBits
        }
    }

    private static func caseRank(_ value: ProtoValue) -> Int {
        switch value {
        case .int32: return 0
        case .int64: return 1
        case .uint32: return 2
        case .uint64: return 3
        case .float: return 4
        case .double: return 5
        case .bool: return 6
        case .string: return 7
        case .bytes: return 8
        case .enumValue: return 9
        case .message: return 10
        }
    }

    // MARK: Scalars

    @inline(__always)
    private mutating func nextSize() -> Int {
        guard cursor < sizes.count else { return 0 }
        defer { cursor &+= 1 }
        return sizes[cursor]
    }

    @inline(__always)
    static func tagSize(_ number: Int32) -> Int {
        WireFormat.varintSize(WireFormat.tag(number, .varint))
    }

    /// The encoded size of one value of a non-message type, without its tag.
    @inline(__always)
    static func scalarSize(_ type: FieldType, _ value: ProtoValue) -> Int {
        switch type {
        case .int32, .enum:
            // Negative int32 and enum values are sign-extended to 64 bits: always 10 bytes.
            let bits = Int32(truncatingIfNeeded: value.wireBits)
            return bits < 0 ? 10 : WireFormat.varintSize(UInt64(bits))
        case .int64, .uint64, .uint32: return WireFormat.varintSize(UInt64(bitPattern: value.wireBits))
        case .sint32: return WireFormat.varintSize(UInt64(WireFormat.zigZag(Int32(truncatingIfNeeded: value.wireBits))))
        case .sint64: return WireFormat.varintSize(WireFormat.zigZag(value.wireBits))
        case .bool: return 1
        case .fixed32, .sfixed32, .float: return 4
        case .fixed64, .sfixed64, .double: return 8
        case .string, .bytes:
            let count: Int
            switch value {
            case .string(let s): count = s.utf8.count
            case .bytes(let b): count = b.count
            default: count = 0
            }
            return WireFormat.varintSize(UInt64(count)) &+ count
        case .message, .group: return 0
        }
    }

    /// The payload size of a packed run.
    static func packedPayloadSize(_ type: FieldType, _ values: [ProtoValue]) -> Int {
        switch type.wireType {
        case .fixed32: return values.count &* 4
        case .fixed64: return values.count &* 8
        default:
            var total = 0
            for value in values { total &+= scalarSize(type, value) }
            return total
        }
    }

    /// The varint a value of a varint type is written as: int32 and enum sign-extended to 64 bits, sint32 and sint64
    /// ZigZag-encoded, bool as 0 or 1 (protobuf.dev, "Encoding").
    @inline(__always)
    static func varint(_ type: FieldType, _ bits: Int64) -> UInt64 {
        switch type {
        case .int32, .enum: UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: bits)))
        case .sint32: UInt64(WireFormat.zigZag(Int32(truncatingIfNeeded: bits)))
        case .sint64: WireFormat.zigZag(bits)
        case .bool: bits != 0 ? 1 : 0
        default: UInt64(bitPattern: bits)
        }
    }

    /// Writes one value of a non-message type, without its tag.
    @inline(__always)
    static func writeScalar(_ type: FieldType, _ value: ProtoValue, to writer: inout WireWriter) {
        let bits = value.wireBits
        switch type {
        case .int32, .enum, .int64, .uint64, .uint32, .sint32, .sint64, .bool:
            writer.writeVarint(varint(type, bits))
        case .fixed32, .sfixed32, .float: writer.writeFixed32(UInt32(truncatingIfNeeded: bits))
        case .fixed64, .sfixed64, .double: writer.writeFixed64(UInt64(bitPattern: bits))
        case .string, .bytes:
            switch value {
            case .string(let s):
                writer.writeVarint(UInt64(s.utf8.count))
                writer.writeString(s)
            case .bytes(let b):
                writer.writeVarint(UInt64(b.count))
                writer.writeBytes(b)
            default:
                writer.writeVarint(0)
            }
        case .message, .group: return
        }
    }
}
