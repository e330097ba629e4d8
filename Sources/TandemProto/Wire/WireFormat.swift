/// Encoding rules of the protobuf binary format shared by the reader, decoder and encoder
/// (protobuf.dev, "Encoding").
@usableFromInline
enum WireFormat {
    /// The number of bytes `value` takes as a base-128 varint (1 to 10).
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // Each byte carries 7 bits; a zero still takes one byte.
        let bits = 64 - value.leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }

    /// ZigZag-encodes a signed 32-bit value (`sint32`): 0, -1, 1, -2 ... map to 0, 1, 2, 3 ...
    @inline(__always)
    static func zigZag(_ value: Int32) -> UInt32 {
        UInt32(bitPattern: (value << 1) ^ (value >> 31))
    }

    /// ZigZag-encodes a signed 64-bit value (`sint64`).
    @inline(__always)
    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Decodes a ZigZag-encoded 32-bit value.
    @inline(__always)
    static func unZigZag(_ value: UInt32) -> Int32 {
        Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1)
    }

    /// Decodes a ZigZag-encoded 64-bit value.
    @inline(__always)
    static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// The tag of field `number` with `wireType`: `(number << 3) | wireType`.
    @inlinable
    static func tag(_ number: Int32, _ wireType: WireType) -> UInt64 {
        (UInt64(UInt32(bitPattern: number)) << 3) | UInt64(wireType.rawValue)
    }

    /// Appends `value` as a varint to `bytes`.
    @inlinable @inline(__always)
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        appendLongVarint(value, to: &bytes)
    }

    /// ``appendVarint(_:to:)`` of a value of two bytes or more: its bytes are put together first, then appended at
    /// once.
    @inlinable
    static func appendLongVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var scratch: (UInt64, UInt64) = (0, 0)
        let count = withUnsafeMutableBytes(of: &scratch) { raw -> Int in
            var remaining = value
            var index = 0
            while remaining >= 0x80 {
                raw[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
                remaining >>= 7
                index &+= 1
            }
            raw[index] = UInt8(truncatingIfNeeded: remaining)
            return index &+ 1
        }
        withUnsafeBytes(of: &scratch) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
