/// Checks, without building a message, that a payload decodes as a message type, and counts the unknown fields
/// the decoded message would keep at every level.
///
/// The validator follows the decoder's rules field by field (wire types that do not match a declaration, unknown
/// values of closed enums, packed and unpacked runs, map entries, UTF-8 of proto3 strings, length and depth limits).
/// It answers only where its answer is certain to be the decoder's: a payload it does not vouch for is declined
/// (`nil`), and the caller decodes it to learn what it is. Declined besides malformed payloads: groups, nesting
/// deeper than ``depthLimit``, two different members of one oneof in one message, and unknown fields inside
/// map values.
///
/// Create one per schema and keep it: creating it lays out every field of the schema for scanning.
public struct WireValidator: Sendable {
    /// The schema of the message types validated.
    public let schema: Schema
    private let layout: WireLayout

    /// The deepest nesting the validator follows; deeper payloads are declined.
    public static let depthLimit = 32

    /// Creates a validator for messages of `schema`.
    public init(schema: Schema) {
        self.schema = schema
        self.layout = WireLayout(schema: schema)
    }

    /// The number of unknown fields that decoding `buffer` as `type` with `options` keeps, summed over the
    /// message and every message it holds; `nil` when the payload does not decode or is one the validator declines
    /// (see the type's description).
    public func unknownFieldCount(
        of buffer: UnsafeRawBufferPointer, as type: MessageDescriptor, options: WireDecodingOptions = .init()
    ) -> Int? {
        var ignored: [WireOccurrence]? = nil
        return count(buffer, as: type, options: options, recording: &ignored)
    }

    /// The number of unknown fields of `buffer` decoded as `type` (see ``unknownFieldCount(of:as:options:)``),
    /// appending to `fields` every top-level field occurrence, in order.
    package func unknownFieldCount(
        of buffer: UnsafeRawBufferPointer, as type: MessageDescriptor, options: WireDecodingOptions = .init(),
        recording fields: inout [WireOccurrence]
    ) -> Int? {
        var recorder: [WireOccurrence]? = fields
        fields = []
        defer { fields = recorder ?? [] }
        return count(buffer, as: type, options: options, recording: &recorder)
    }

    /// The number of unknown fields of `bytes` decoded as `type` (see ``unknownFieldCount(of:as:options:)``).
    public func unknownFieldCount(of bytes: [UInt8], as type: MessageDescriptor, options: WireDecodingOptions = .init())
        -> Int?
    {
        bytes.withUnsafeBytes { unknownFieldCount(of: $0, as: type, options: options) }
    }

    /// Whether `raw` is valid UTF-8, by the decoder's rule.
    package static func isValidUTF8(_ raw: UnsafeRawBufferPointer) -> Bool {
        WireDecoder.isValidUTF8(raw)
    }

    /// The closed enum of field `number` of `message` in the validator's layout, as a slot for
    /// ``isUnknown(_:inClosedEnum:)``; -1 when the field is not a closed enum.
    package func closedEnumSlot(ofField number: Int32, in message: MessageDescriptor) -> Int32 {
        layout.field(number, in: message.index).closedEnum
    }

    /// Whether `value` is undeclared in the closed enum at `slot` (from ``closedEnumSlot(ofField:in:)``): decoding
    /// keeps such a value as an unknown field.
    @inline(__always)
    package func isUnknown(_ value: Int32, inClosedEnum slot: Int32) -> Bool {
        layout.isUnknown(value, inClosedEnum: slot)
    }

    /// The layout of field `number` of the message at schema index `message`, for a caller that reads a payload's
    /// tags itself and hands the values it does not read to ``scanValue(of:number:wireType:reader:depth:maxDepth:)``.
    @inline(__always)
    package func field(_ number: Int32, inMessage message: Int) -> WireLayout.Field {
        layout.field(number, in: message)
    }

    /// Scans the value of one occurrence of `field` (numbered `number`, the reader just past its tag) in a message
    /// nested `depth` deep, as validating the whole payload would: whether the occurrence is read as the declared
    /// field (`false`: its wire type makes it an unknown field, skipped), and the unknown fields it adds, itself
    /// included; `nil` when the payload does not decode or is one the validator declines.
    package func scanValue(
        of field: WireLayout.Field, number: Int32, wireType: WireType, reader: inout WireReader, depth: Int,
        maxDepth: Int
    ) -> (known: Bool, unknown: Int)? {
        guard wireType != .startGroup && wireType != .endGroup else { return nil }
        let scanner = Scanner(layout: layout, maxDepth: min(maxDepth, Self.depthLimit))
        do {
            var unknown = 0
            if try scanner.scanField(field, wireType: wireType, reader: &reader, depth: depth, unknown: &unknown) {
                return (true, unknown)
            }
            try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
            return (false, 1)
        } catch {
            return nil
        }
    }

    private func count(
        _ buffer: UnsafeRawBufferPointer, as type: MessageDescriptor, options: WireDecodingOptions,
        recording fields: inout [WireOccurrence]?
    ) -> Int? {
        // The descriptor must be this schema's own (not one of another schema that shares its index).
        guard buffer.count <= options.maxSize, options.maxDepth >= 1, schema.messages.indices.contains(type.index),
            schema.messages[type.index] === type
        else { return nil }
        var reader = WireReader(buffer)
        let scanner = Scanner(layout: layout, maxDepth: min(options.maxDepth, Self.depthLimit))
        do {
            let count = try scanner.scan(type.index, reader: &reader, depth: 1, recording: &fields)
            return options.keepsUnknownFields ? count : 0
        } catch {
            return nil
        }
    }
}

/// A payload the validator leaves to the decoder.
private struct Declined: Error {}

/// One validation: the layout and the depth at which nesting is declined.
private struct Scanner {
    /// Borrowed from the validator that creates the scanner and outlives it (no reference counting per field).
    unowned(unsafe) let layout: WireLayout
    /// Messages may nest while their depth stays below this (the decoder's limit, capped at
    /// ``WireValidator/depthLimit``).
    let maxDepth: Int

    /// Scans the fields of one message up to the reader's end; returns its unknown fields and those of the messages
    /// it holds. `fields`, when given, receives this message's field occurrences (not those of nested messages).
    func scan(_ message: Int, reader: inout WireReader, depth: Int, recording fields: inout [WireOccurrence]?)
        throws -> Int
    {
        var unknown = 0
        // The member seen so far of each oneof, for messages that use one: the first eight oneofs inline (no
        // allocation per message), any others in an array.
        var oneofMembers = SIMD8<Int32>()
        var moreOneofMembers: [Int32] = []
        while let (number, wireType) = try reader.nextTag() {
            if wireType == .startGroup || wireType == .endGroup { throw Declined() }
            fields?.append(
                WireOccurrence(
                    number: number, wireType: wireType, tagOffset: reader.tagOffset, valueOffset: reader.offset))
            let field = layout.field(number, in: message)
            guard try scanField(field, wireType: wireType, reader: &reader, depth: depth, unknown: &unknown) else {
                try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
                unknown &+= 1
                continue
            }
            if field.oneof >= 0 {
                // A later member clears an earlier one; what it clears is left to the decoder.
                let oneof = Int(field.oneof)
                guard oneof < layout.oneofCounts[message] else { throw Declined() }
                if oneof < oneofMembers.scalarCount {
                    if oneofMembers[oneof] != 0 && oneofMembers[oneof] != number { throw Declined() }
                    oneofMembers[oneof] = number
                } else {
                    if moreOneofMembers.isEmpty {
                        moreOneofMembers = Array(repeating: 0, count: layout.oneofCounts[message])
                    }
                    if moreOneofMembers[oneof] != 0 && moreOneofMembers[oneof] != number { throw Declined() }
                    moreOneofMembers[oneof] = number
                }
            }
        }
        return unknown
    }

    /// Scans one occurrence of a declared field; returns `false` (having read nothing) when its wire type makes it
    /// an unknown field.
    @inline(__always)
    fileprivate func scanField(
        _ field: WireLayout.Field, wireType: WireType, reader: inout WireReader, depth: Int, unknown: inout Int
    ) throws -> Bool {
        switch field.kind {
        case .undeclared:
            return false
        case .unsupported:
            throw Declined()
        case .map:
            guard wireType == .lengthDelimited else { return false }
            try scanMapEntry(Int(field.messageIndex), reader: &reader, depth: depth, unknown: &unknown)
            return true
        case .message:
            guard wireType == .lengthDelimited else { return false }
            unknown &+= try scanMessage(Int(field.messageIndex), reader: &reader, depth: depth)
            return true
        case .varint, .enumValue, .fixed32, .fixed64:
            // Parsers accept packed and unpacked runs of packable fields whatever the declaration
            // (protobuf.dev, "Encoding": packed repeated fields).
            if field.isRepeated && wireType == .lengthDelimited {
                try scanPacked(field, reader: &reader, unknown: &unknown)
                return true
            }
            guard wireType == field.wireType else { return false }
            try scanScalar(field, reader: &reader, unknown: &unknown)
            return true
        case .checkedString, .bytes:
            guard wireType == .lengthDelimited else { return false }
            try scanScalar(field, reader: &reader, unknown: &unknown)
            return true
        }
    }

    /// Scans a length-delimited nested message held by a message at `depth`.
    private func scanMessage(_ message: Int, reader: inout WireReader, depth: Int) throws -> Int {
        guard depth < maxDepth else { throw Declined() }
        let range = try reader.readLengthDelimited()
        var nested = reader.subReader(range)
        var notRecorded: [WireOccurrence]? = nil
        return try scan(message, reader: &nested, depth: depth + 1, recording: &notRecorded)
    }

    /// Scans one value of a non-message field whose wire type has been checked; an unknown value of a closed enum
    /// counts as an unknown field.
    @inline(__always)
    private func scanScalar(_ field: WireLayout.Field, reader: inout WireReader, unknown: inout Int) throws {
        switch field.kind {
        case .varint:
            _ = try reader.readVarint()
        case .enumValue:
            let bits = try reader.readVarint()
            if field.closedEnum >= 0
                && layout.isUnknown(Int32(truncatingIfNeeded: bits), inClosedEnum: field.closedEnum)
            {
                unknown &+= 1
            }
        case .fixed32:
            _ = try reader.readFixed32()
        case .fixed64:
            _ = try reader.readFixed64()
        case .checkedString:
            let range = try reader.readLengthDelimited()
            if !WireDecoder.isValidUTF8(reader.bytes(in: range)) { throw Declined() }
        case .bytes:
            _ = try reader.readLengthDelimited()
        case .undeclared, .unsupported, .message, .map:
            throw Declined()
        }
    }

    /// Scans one packed run; every unknown closed-enum value in it counts as an unknown field.
    private func scanPacked(_ field: WireLayout.Field, reader: inout WireReader, unknown: inout Int) throws {
        let range = try reader.readLengthDelimited()
        switch field.kind {
        case .fixed32:
            guard range.count % 4 == 0 else { throw Declined() }
        case .fixed64:
            guard range.count % 8 == 0 else { throw Declined() }
        default:
            var packed = reader.subReader(range)
            let closedEnum = field.kind == .enumValue ? field.closedEnum : -1
            while !packed.isAtEnd {
                let bits = try packed.readVarint()
                if closedEnum >= 0 && layout.isUnknown(Int32(truncatingIfNeeded: bits), inClosedEnum: closedEnum) {
                    unknown &+= 1
                }
            }
        }
    }

    /// Scans one map entry as the decoder reads it: the entry is one unknown field when its closed-enum value is
    /// unknown; unknown fields inside a message value are declined (a later duplicate key would drop them).
    private func scanMapEntry(_ entryType: Int, reader: inout WireReader, depth: Int, unknown: inout Int) throws {
        guard depth < maxDepth else { throw Declined() }
        let range = try reader.readLengthDelimited()
        let key = layout.field(1, in: entryType)
        let value = layout.field(2, in: entryType)
        var entry = reader.subReader(range)
        var unknownEnum = false
        while let (number, wireType) = try entry.nextTag() {
            if wireType == .startGroup || wireType == .endGroup { throw Declined() }
            if number == 1 && wireType == key.wireType {
                var ignored = 0
                try scanScalar(key, reader: &entry, unknown: &ignored)
            } else if number == 2 && wireType == value.wireType {
                switch value.kind {
                case .message:
                    if try scanMessage(Int(value.messageIndex), reader: &entry, depth: depth + 1) > 0 {
                        throw Declined()
                    }
                case .varint, .enumValue, .fixed32, .fixed64, .checkedString, .bytes:
                    var enumUnknown = 0
                    try scanScalar(value, reader: &entry, unknown: &enumUnknown)
                    unknownEnum = enumUnknown > 0
                case .undeclared, .unsupported, .map:
                    throw Declined()
                }
            } else {
                try entry.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
            }
        }
        if unknownEnum { unknown &+= 1 }
    }
}
