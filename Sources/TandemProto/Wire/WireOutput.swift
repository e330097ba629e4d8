/// Writes protobuf binary values into a ``WireBuffer``, growing it as needed: plain stores, without an array's
/// reference counting and uniqueness checks per byte. Start one per message, and call ``finish()`` when it is written.
public struct WireOutput {
    @usableFromInline unowned(unsafe) let buffer: WireBuffer
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0

    /// Starts writing a message into `buffer` (what it held is dropped). The buffer must outlive the output.
    @inlinable
    public init(_ buffer: WireBuffer) {
        self.buffer = buffer
        base = buffer.base
        capacity = buffer.capacity
    }

    /// The bytes written so far.
    @inlinable public var count: Int { written }

    /// Hands the written bytes to the buffer (``WireBuffer/bytes``).
    @inlinable
    public func finish() {
        buffer.written = written
    }

    /// The bytes written from offset `start` (valid until the next write).
    @inlinable
    public func bytes(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: written - start)
    }

    @inlinable @inline(__always)
    mutating func reserve(_ extra: Int) {
        if capacity &- written < extra { grow(extra) }
    }

    @usableFromInline
    mutating func grow(_ extra: Int) {
        var newCapacity = capacity * 2
        while newCapacity - written < extra { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: written)
        base.deallocate()
        base = newBase
        capacity = newCapacity
        buffer.base = newBase
        buffer.capacity = newCapacity
    }

    /// Appends one byte.
    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
        written &+= 1
    }

    /// Appends `value` as a base-128 varint.
    @inlinable @inline(__always)
    public mutating func appendVarint(_ value: UInt64) {
        reserve(10)
        written = storeVarint(value, at: written)
    }

    /// Stores `value` as a base-128 varint at `offset` (the room is reserved); returns the offset past it.
    @inlinable @inline(__always)
    func storeVarint(_ value: UInt64, at offset: Int) -> Int {
        var remaining = value
        var index = offset
        while remaining >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: remaining) | 0x80, toByteOffset: index, as: UInt8.self)
            remaining >>= 7
            index &+= 1
        }
        base.storeBytes(of: UInt8(truncatingIfNeeded: remaining), toByteOffset: index, as: UInt8.self)
        return index &+ 1
    }

    /// Appends the tag of field `number` with `wireType`.
    @inlinable @inline(__always)
    public mutating func appendTag(_ number: Int32, _ wireType: WireType) {
        appendVarint(WireFormat.tag(number, wireType))
    }

    /// Appends `bytes` as they are.
    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + written).copyMemory(from: source, byteCount: bytes.count)
        written &+= bytes.count
    }

    /// Appends a length prefix and `bytes`.
    @inlinable @inline(__always)
    public mutating func appendLengthDelimited(_ bytes: UnsafeRawBufferPointer) {
        appendVarint(UInt64(bytes.count))
        append(bytes)
    }

    /// Appends a fixed32, sfixed32 or float value's bits, little-endian.
    @inlinable @inline(__always)
    public mutating func appendFixed32(_ value: UInt32) {
        reserve(4)
        base.storeBytes(of: value.littleEndian, toByteOffset: written, as: UInt32.self)
        written &+= 4
    }

    /// Appends a fixed64, sfixed64 or double value's bits, little-endian.
    @inlinable @inline(__always)
    public mutating func appendFixed64(_ value: UInt64) {
        reserve(8)
        base.storeBytes(of: value.littleEndian, toByteOffset: written, as: UInt64.self)
        written &+= 8
    }

    /// Reserves a one-byte length prefix for a value written next; returns where the value starts (for
    /// ``endLengthPrefix(_:)``).
    @inlinable @inline(__always)
    public mutating func beginLengthPrefix() -> Int {
        append(0)
        return written
    }

    /// Writes the length of the value that starts at `start` into its prefix, widening the prefix (and moving the
    /// value) when the length needs more than a byte.
    @inlinable @inline(__always)
    public mutating func endLengthPrefix(_ start: Int) {
        let length = written - start
        if length < 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: start - 1, as: UInt8.self)
            return
        }
        widenLengthPrefix(start, length)
    }

    @usableFromInline
    mutating func widenLengthPrefix(_ start: Int, _ length: Int) {
        let size = WireFormat.varintSize(UInt64(length))
        reserve(size - 1)
        (base + start + size - 1).copyMemory(from: base + start, byteCount: length)
        _ = storeVarint(UInt64(length), at: start - 1)
        written += size - 1
    }

    /// Drops the bytes written from offset `start`.
    @inlinable
    public mutating func truncate(to start: Int) {
        written = start
    }
}
