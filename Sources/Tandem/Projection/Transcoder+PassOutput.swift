import TandemProto

extension Transcoder {
    /// The memory the single pass writes a record's v1 bytes into, kept from one record to the next (see
    /// ``Scratch``); freed with its last holder.
    final class PassMemory {
        fileprivate(set) var base: UnsafeMutableRawPointer
        fileprivate(set) var capacity: Int
        /// The bytes of the last record written.
        fileprivate(set) var count = 0

        init(capacity: Int = 1024) {
            self.capacity = max(capacity, 64)
            base = .allocate(byteCount: self.capacity, alignment: 8)
        }

        deinit { base.deallocate() }

        /// The last record's bytes (valid until the next record is written).
        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    }

    /// Writes the single pass's v1 bytes into a ``PassMemory``, growing it as needed: plain stores, without the
    /// reference counting and uniqueness checks of appending to an array.
    struct PassOutput {
        private unowned(unsafe) let memory: PassMemory
        private var base: UnsafeMutableRawPointer
        private var capacity: Int
        /// The bytes written.
        private(set) var count = 0

        /// Starts writing a record into `memory` (what it held is dropped).
        init(_ memory: PassMemory) {
            self.memory = memory
            base = memory.base
            capacity = memory.capacity
        }

        /// Hands the written bytes to the memory.
        func finish() {
            memory.count = count
        }

        /// The bytes written from `start`.
        func bytes(from start: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: base + start, count: count - start)
        }

        @inline(__always)
        private mutating func reserve(_ extra: Int) {
            if capacity &- count < extra { grow(extra) }
        }

        private mutating func grow(_ extra: Int) {
            var newCapacity = capacity * 2
            while newCapacity - count < extra { newCapacity *= 2 }
            let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
            newBase.copyMemory(from: base, byteCount: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
            memory.base = newBase
            memory.capacity = newCapacity
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            reserve(1)
            base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
            count &+= 1
        }

        /// Appends `value` as a base-128 varint.
        @inline(__always)
        mutating func appendVarint(_ value: UInt64) {
            reserve(10)
            var remaining = value
            while remaining >= 0x80 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: remaining) | 0x80, toByteOffset: count, as: UInt8.self)
                remaining >>= 7
                count &+= 1
            }
            base.storeBytes(of: UInt8(truncatingIfNeeded: remaining), toByteOffset: count, as: UInt8.self)
            count &+= 1
        }

        /// Appends the tag of field `number` with `wireType` (protobuf.dev, "Encoding": `(number << 3) | type`).
        @inline(__always)
        mutating func appendTag(_ number: Int32, _ wireType: WireType) {
            appendVarint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wireType.rawValue))
        }

        @inline(__always)
        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            guard let source = bytes.baseAddress, bytes.count > 0 else { return }
            reserve(bytes.count)
            (base + count).copyMemory(from: source, byteCount: bytes.count)
            count &+= bytes.count
        }

        /// Appends a length prefix and `bytes`.
        @inline(__always)
        mutating func appendLengthDelimited(_ bytes: UnsafeRawBufferPointer) {
            appendVarint(UInt64(bytes.count))
            append(bytes)
        }

        @inline(__always)
        mutating func appendFixed32(_ value: UInt32) {
            reserve(4)
            base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
            count &+= 4
        }

        @inline(__always)
        mutating func appendFixed64(_ value: UInt64) {
            reserve(8)
            base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
            count &+= 8
        }

        /// Reserves a one-byte length prefix for a value written next; returns where the value starts.
        @inline(__always)
        mutating func beginLengthPrefix() -> Int {
            append(0)
            return count
        }

        /// Writes the length of the value that starts at `start` into its prefix, widening the prefix (and moving
        /// the value) when the length needs more than a byte.
        @inline(__always)
        mutating func endLengthPrefix(_ start: Int) {
            let length = count - start
            if length < 0x80 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: start - 1, as: UInt8.self)
                return
            }
            widenLengthPrefix(start, length)
        }

        private mutating func widenLengthPrefix(_ start: Int, _ length: Int) {
            var size = 1
            var rest = UInt64(length) >> 7
            while rest > 0 {
                size += 1
                rest >>= 7
            }
            reserve(size - 1)
            (base + start + size - 1).copyMemory(from: base + start, byteCount: length)
            var value = UInt64(length)
            var index = start - 1
            while value >= 0x80 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, toByteOffset: index, as: UInt8.self)
                value >>= 7
                index += 1
            }
            base.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: index, as: UInt8.self)
            count += size - 1
        }

        /// Drops the bytes written from `start`.
        mutating func truncate(to start: Int) {
            count = start
        }
    }
}
