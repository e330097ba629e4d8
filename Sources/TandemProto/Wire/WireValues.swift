/// Single protobuf values in binary form: reading a scalar from its wire bits as the decoder does, and appending
/// tags and values in the canonical form the encoder writes.
///
/// For code that works on payload bytes directly (a transcoder, a validator) and must agree byte for byte with
/// ``DynamicMessage``'s decoding and ``DynamicMessage/serializedBytes()``.
package enum WireValues {
    /// The value of a varint or fixed-width field of type `type` read as `bits` (the varint, or the little-endian
    /// fixed32/fixed64 value), exactly as the decoder reads it; `nil` for length-delimited and message types.
    @inline(__always)
    package static func scalar(bits: UInt64, as type: FieldType) -> ProtoValue? {
        switch type {
        // int32 and enum values are written as sign-extended 64-bit varints; the upper bits are dropped
        // (protobuf.dev, "Encoding": signed integers).
        case .int32: return .int32(Int32(truncatingIfNeeded: bits))
        case .int64: return .int64(Int64(bitPattern: bits))
        case .uint32: return .uint32(UInt32(truncatingIfNeeded: bits))
        case .uint64: return .uint64(bits)
        case .sint32: return .int32(WireFormat.unZigZag(UInt32(truncatingIfNeeded: bits)))
        case .sint64: return .int64(WireFormat.unZigZag(bits))
        case .bool: return .bool(bits != 0)
        case .enum: return .enumValue(Int32(truncatingIfNeeded: bits))
        case .fixed32: return .uint32(UInt32(truncatingIfNeeded: bits))
        case .sfixed32: return .int32(Int32(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .fixed64: return .uint64(bits)
        case .sfixed64: return .int64(Int64(bitPattern: bits))
        case .double: return .double(Double(bitPattern: bits))
        case .string, .bytes, .message, .group: return nil
        }
    }

    /// Reads the bits of one varint or fixed-width value of wire type `wireType` (see ``scalar(bits:as:)``).
    @inlinable @inline(__always)
    package static func readBits(_ wireType: WireType, from reader: inout WireReader) throws(WireDecodingError)
        -> UInt64
    {
        switch wireType {
        case .fixed32: return UInt64(try reader.readFixed32())
        case .fixed64: return try reader.readFixed64()
        default: return try reader.readVarint()
        }
    }

    /// Appends `value` as a base-128 varint.
    @inlinable @inline(__always)
    package static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        WireFormat.appendVarint(value, to: &bytes)
    }

    /// Reserves a one-byte length prefix for a value written next; returns where the value starts (for
    /// ``endLengthPrefix(_:_:)``).
    @inlinable @inline(__always)
    package static func beginLengthPrefix(_ bytes: inout [UInt8]) -> Int {
        bytes.append(0)
        return bytes.count
    }

    /// Writes the length of the value that starts at `start` into its prefix, widening the prefix when the length
    /// needs more than a byte.
    @inlinable @inline(__always)
    package static func endLengthPrefix(_ start: Int, _ bytes: inout [UInt8]) {
        let length = bytes.count - start
        if length < 0x80 {
            bytes[start - 1] = UInt8(truncatingIfNeeded: length)
            return
        }
        let size = WireFormat.varintSize(UInt64(length))
        bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: start)
        var value = UInt64(length)
        var index = start - 1
        while value >= 0x80 {
            bytes[index] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            index += 1
        }
        bytes[index] = UInt8(truncatingIfNeeded: value)
    }

    /// The order in which the encoder writes two map entries, from their keys' wire form (negative, zero or
    /// positive): `a` and `b` are the bits of number or bool keys of type `type`.
    package static func compareMapKeys(bits a: UInt64, _ b: UInt64, as type: FieldType) -> Int {
        guard let x = scalar(bits: a, as: type), let y = scalar(bits: b, as: type) else { return 0 }
        if WireEncoder.keyPrecedes(x, y) { return -1 }
        return WireEncoder.keyPrecedes(y, x) ? 1 : 0
    }

    /// The same for string keys, from their bytes (the encoder orders them by UTF-8 bytes).
    package static func compareMapKeys(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        for index in 0..<min(a.count, b.count) where a[index] != b[index] { return Int(a[index]) - Int(b[index]) }
        return a.count - b.count
    }

    /// Appends the tag of field `number` with `wireType`.
    @inlinable @inline(__always)
    package static func appendTag(_ number: Int32, _ wireType: WireType, to bytes: inout [UInt8]) {
        WireFormat.appendVarint(WireFormat.tag(number, wireType), to: &bytes)
    }

    /// Appends a length prefix and `payload`.
    @inlinable @inline(__always)
    package static func appendLengthDelimited(_ payload: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        WireFormat.appendVarint(UInt64(payload.count), to: &bytes)
        bytes.append(contentsOf: payload)
    }

    /// Appends one value of a non-message field of type `type`, without its tag, as the encoder writes it (the
    /// varint of each type from ``WireEncoder``'s one rule; fixed-width little-endian; strings and bytes with their
    /// length).
    package static func appendScalar(_ value: ProtoValue, as type: FieldType, to bytes: inout [UInt8]) {
        let bits = value.wireBits
        switch type.wireType {
        case .varint:
            WireFormat.appendVarint(WireEncoder.varint(type, bits), to: &bytes)
        case .fixed32:
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: bits).littleEndian) { bytes.append(contentsOf: $0) }
        case .fixed64:
            withUnsafeBytes(of: UInt64(bitPattern: bits).littleEndian) { bytes.append(contentsOf: $0) }
        case .lengthDelimited:
            switch value {
            case .string(let text):
                WireFormat.appendVarint(UInt64(text.utf8.count), to: &bytes)
                bytes.append(contentsOf: text.utf8)
            case .bytes(let data):
                WireFormat.appendVarint(UInt64(data.count), to: &bytes)
                bytes.append(contentsOf: data)
            default:
                bytes.append(0)
            }
        case .startGroup, .endGroup:
            return
        }
    }

    /// Appends the tag (field `number`) and value of a singular number, bool or enum of type `type` to `out`, as
    /// ``appendScalar(_:as:to:)`` writes it; `false`, with nothing written, for a string or bytes type.
    @inline(__always)
    package static func appendScalar(
        _ value: ProtoValue, number: Int32, as type: FieldType, to out: inout WireOutput
    ) -> Bool {
        let bits = value.wireBits
        switch type.wireType {
        case .varint:
            out.appendTag(number, .varint)
            out.appendVarint(WireEncoder.varint(type, bits))
        case .fixed32:
            out.appendTag(number, .fixed32)
            out.appendFixed32(UInt32(truncatingIfNeeded: bits))
        case .fixed64:
            out.appendTag(number, .fixed64)
            out.appendFixed64(UInt64(bitPattern: bits))
        case .lengthDelimited, .startGroup, .endGroup:
            return false
        }
        return true
    }

    /// Appends the values of a packed run of type `type`: the encoder's payload size as the length prefix, then each
    /// value.
    package static func appendPacked(_ values: [ProtoValue], as type: FieldType, to bytes: inout [UInt8]) {
        WireFormat.appendVarint(UInt64(WireEncoder.packedPayloadSize(type, values)), to: &bytes)
        for value in values { appendScalar(value, as: type, to: &bytes) }
    }
}
