/// Writes protobuf binary values into memory whose size was computed beforehand.
///
/// Every write checks the remaining capacity; a write that does not fit is dropped and ``overflowed`` is set, so a
/// size computation that disagrees with the writing pass can never write out of bounds.
struct WireWriter {
    private let base: UnsafeMutableRawPointer?
    private let capacity: Int
    /// The number of bytes written.
    private(set) var offset: Int = 0
    /// Whether a write did not fit.
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        capacity = buffer.count
    }

    @inline(__always)
    private mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer? {
        guard let base, capacity &- offset >= count else {
            overflowed = true
            return nil
        }
        let pointer = base + offset
        offset &+= count
        return pointer
    }

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
        guard let pointer = reserve(WireFormat.varintSize(value)) else { return }
        var remaining = value
        var index = 0
        while remaining >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: remaining) | 0x80, toByteOffset: index, as: UInt8.self)
            remaining >>= 7
            index &+= 1
        }
        pointer.storeBytes(of: UInt8(truncatingIfNeeded: remaining), toByteOffset: index, as: UInt8.self)
    }

    @inline(__always)
    mutating func writeTag(_ number: Int32, _ wireType: WireType) {
        writeVarint(WireFormat.tag(number, wireType))
    }

    @inline(__always)
    mutating func writeFixed32(_ value: UInt32) {
        guard let pointer = reserve(4) else { return }
        pointer.storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    @inline(__always)
    mutating func writeFixed64(_ value: UInt64) {
        guard let pointer = reserve(8) else { return }
        pointer.storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    @inline(__always)
    mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, let source = bytes.baseAddress else { return }
        guard let pointer = reserve(bytes.count) else { return }
        pointer.copyMemory(from: source, byteCount: bytes.count)
    }

    mutating func writeBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeBytes($0) }
    }

    mutating func writeString(_ string: String) {
        let written: Void? = string.utf8.withContiguousStorageIfAvailable { writeBytes(UnsafeRawBufferPointer($0)) }
        if written == nil { writeBytes(Array(string.utf8)) }
    }
}
