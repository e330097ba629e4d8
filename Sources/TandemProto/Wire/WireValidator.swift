/// Checks, without building a message, that a payload decodes as a message type, and counts the unknown fields
/// the decoded message would keep at every level.
///
/// The validator follows the decoder's rules field by field (wire types that do not match a declaration, unknown
/// values of closed enums, packed and unpacked runs, map entries, UTF-8 of proto3 strings, length and depth limits).
/// It answers only where its answer is certain to be the decoder's: a payload it does not vouch for is declined
/// (`nil`), and the caller decodes it to learn what it is. Declined besides malformed payloads: groups, nesting
/// deeper than ``depthLimit``, two different members of one oneof in one message, and unknown fields inside
/// map values.
public struct WireValidator: Sendable {
    /// The schema of the message types validated.
    public let schema: Schema
    /// The limits the decoder would apply.
    public let options: WireDecodingOptions

    /// The deepest nesting the validator follows; deeper payloads are declined.
    public static let depthLimit = 32

    /// Creates a validator for messages of `schema` decoded with `options`.
    public init(schema: Schema, options: WireDecodingOptions = .init()) {
        self.schema = schema
        self.options = options
    }

    /// The number of unknown fields that decoding `buffer` as `type` keeps, summed over the message and every
    /// message it holds; `nil` when the payload does not decode or is one the validator declines (see the type's
    /// description).
    public func unknownFieldCount(of buffer: UnsafeRawBufferPointer, as type: MessageDescriptor) -> Int? {
        guard buffer.count <= options.maxSize, options.maxDepth >= 1 else { return nil }
        var reader = WireReader(buffer)
        do {
            let count = try scan(type, reader: &reader, depth: 1)
            return options.keepsUnknownFields ? count : 0
        } catch {
            return nil
        }
    }

    /// The number of unknown fields of `bytes` decoded as `type` (see ``unknownFieldCount(of:as:)``).
    public func unknownFieldCount(of bytes: [UInt8], as type: MessageDescriptor) -> Int? {
        bytes.withUnsafeBytes { unknownFieldCount(of: $0, as: type) }
    }

    /// A payload the validator leaves to the decoder.
    private struct Declined: Error {}

    /// Scans the fields of one message up to the reader's end; returns its unknown fields and those of the messages
    /// it holds.
    private func scan(_ type: MessageDescriptor, reader: inout WireReader, depth: Int) throws -> Int {
        var unknown = 0
        // The member seen so far of each oneof (by oneof index), allocated for messages that use a oneof.
        var oneofMembers: [Int32] = []
        while let (number, wireType) = try reader.nextTag() {
            if wireType == .startGroup || wireType == .endGroup { throw Declined() }
            if let position = type.position(ofNumber: number),
                try scanField(type.fields[position], wireType: wireType, reader: &reader, depth: depth, unknown: &unknown)
            {
                if let oneof = type.fields[position].oneofIndex, !type.fields[position].isProto3Optional {
                    // A later member clears an earlier one; what it clears is left to the decoder.
                    if oneofMembers.isEmpty { oneofMembers = Array(repeating: 0, count: type.oneofs.count) }
                    guard oneof < oneofMembers.count else { throw Declined() }
                    if oneofMembers[oneof] != 0 && oneofMembers[oneof] != number { throw Declined() }
                    oneofMembers[oneof] = number
                }
                continue
            }
            try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
            unknown &+= 1
        }
        return unknown
    }

    /// Scans one occurrence of a declared field; returns `false` (having read nothing) when its wire type makes it
    /// an unknown field.
    @inline(__always)
    private func scanField(
        _ field: FieldDescriptor, wireType: WireType, reader: inout WireReader, depth: Int, unknown: inout Int
    ) throws -> Bool {
        let type = field.type
        if field.isRepeated {
            if field.isMap {
                guard wireType == .lengthDelimited else { return false }
                try scanMapEntry(field, reader: &reader, depth: depth, unknown: &unknown)
                return true
            }
            if type.isMessage {
                guard wireType == type.wireType, let messageType = schema.messageType(of: field) else { return false }
                unknown &+= try scanMessage(messageType, reader: &reader, depth: depth)
                return true
            }
            if wireType == .lengthDelimited && type.isPackable {
                try scanPacked(field, reader: &reader, unknown: &unknown)
                return true
            }
            guard wireType == type.wireType else { return false }
            try scanScalar(field, reader: &reader, unknown: &unknown)
            return true
        }
        guard wireType == type.wireType else { return false }
        if type.isMessage {
            guard let messageType = schema.messageType(of: field) else { return false }
            unknown &+= try scanMessage(messageType, reader: &reader, depth: depth)
            return true
        }
        try scanScalar(field, reader: &reader, unknown: &unknown)
        return true
    }

    /// Scans a length-delimited nested message held by a message at `depth`.
    private func scanMessage(_ type: MessageDescriptor, reader: inout WireReader, depth: Int) throws -> Int {
        guard depth < options.maxDepth, depth < Self.depthLimit else { throw Declined() }
        let range = try reader.readLengthDelimited()
        var nested = reader.subReader(range)
        return try scan(type, reader: &nested, depth: depth + 1)
    }

    /// Scans one value of a non-message field; an unknown value of a closed enum counts as an unknown field.
    @inline(__always)
    private func scanScalar(_ field: FieldDescriptor, reader: inout WireReader, unknown: inout Int) throws {
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool:
            _ = try reader.readVarint()
        case .enum:
            let bits = try reader.readVarint()
            if isUnknownClosedEnum(Int32(truncatingIfNeeded: bits), field) { unknown &+= 1 }
        case .fixed32, .sfixed32, .float:
            _ = try reader.readFixed32()
        case .fixed64, .sfixed64, .double:
            _ = try reader.readFixed64()
        case .string:
            let range = try reader.readLengthDelimited()
            if field.validatesUTF8 && !Self.isValidUTF8(reader.bytes(in: range)) { throw Declined() }
        case .bytes:
            _ = try reader.readLengthDelimited()
        case .message, .group:
            throw Declined()
        }
    }

    /// Scans one packed run; every unknown closed-enum value in it counts as an unknown field.
    private func scanPacked(_ field: FieldDescriptor, reader: inout WireReader, unknown: inout Int) throws {
        let range = try reader.readLengthDelimited()
        switch field.type.wireType {
        case .fixed32:
            guard range.count % 4 == 0 else { throw Declined() }
        case .fixed64:
            guard range.count % 8 == 0 else { throw Declined() }
        default:
            var packed = reader.subReader(range)
            let isEnum = field.type == .enum
            while !packed.isAtEnd {
                let bits = try packed.readVarint()
                if isEnum && isUnknownClosedEnum(Int32(truncatingIfNeeded: bits), field) { unknown &+= 1 }
            }
        }
    }

    /// Scans one map entry as the decoder reads it: the entry is one unknown field when its closed-enum value is
    /// unknown; unknown fields inside a message value are declined (a later duplicate key would drop them).
    private func scanMapEntry(_ field: FieldDescriptor, reader: inout WireReader, depth: Int, unknown: inout Int)
        throws
    {
        guard depth < options.maxDepth, depth < Self.depthLimit else { throw Declined() }
        let range = try reader.readLengthDelimited()
        guard let entryType = schema.messageType(of: field), entryType.fields.count == 2 else {
            unknown &+= 1
            return
        }
        let keyField = entryType.fields[0]
        let valueField = entryType.fields[1]
        var entry = reader.subReader(range)
        var unknownEnum = false
        while let (number, wireType) = try entry.nextTag() {
            if wireType == .startGroup || wireType == .endGroup { throw Declined() }
            if number == keyField.number && wireType == keyField.type.wireType && !keyField.type.isMessage {
                var ignored = 0
                try scanScalar(keyField, reader: &entry, unknown: &ignored)
            } else if number == valueField.number && wireType == valueField.type.wireType {
                if valueField.type.isMessage {
                    guard let valueType = schema.messageType(of: valueField) else { throw Declined() }
                    if try scanMessage(valueType, reader: &entry, depth: depth + 1) > 0 { throw Declined() }
                } else {
                    var enumUnknown = 0
                    try scanScalar(valueField, reader: &entry, unknown: &enumUnknown)
                    unknownEnum = enumUnknown > 0
                }
            } else {
                try entry.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
            }
        }
        if unknownEnum { unknown &+= 1 }
    }

    @inline(__always)
    private func isUnknownClosedEnum(_ number: Int32, _ field: FieldDescriptor) -> Bool {
        guard let index = field.enumIndex, index < schema.enums.count else { return false }
        let enumType = schema.enums[index]
        return enumType.isClosed && enumType.name(of: number) == nil
    }

    /// Whether `raw` is valid UTF-8 (ASCII checked eight bytes at a time first).
    public static func isValidUTF8(_ raw: UnsafeRawBufferPointer) -> Bool {
        if WireDecoder.isASCII(raw) { return true }
        return String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self) != nil
    }
}
