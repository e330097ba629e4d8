#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension DynamicMessage {
    /// The message in canonical protobuf binary form.
    ///
    /// Known fields come in field-number order, repeated scalars packed where the declaration packs them (proto3
    /// by default, proto2 with `[packed = true]`), map entries sorted by key with key and value both written,
    /// groups as groups, and unknown fields last in the order they were read. Implicit-presence proto3 scalars at
    /// their default are not written; explicit-presence fields are written whenever set. Equal messages encode to
    /// equal bytes.
    public func serializedBytes() -> [UInt8] {
        var encoder = WireEncoder()
        let size = encoder.measure(storage)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = WireWriter(UnsafeMutableRawBufferPointer(buffer))
            encoder.write(storage, to: &writer)
            initialized = writer.offset
        }
    }

    /// Appends the message's canonical protobuf binary form (see ``serializedBytes()``) to `bytes`.
    public func append(to bytes: inout [UInt8]) {
        var encoder = WireEncoder()
        let size = encoder.measure(storage)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        let written = bytes.withUnsafeMutableBytes { raw in
            var writer = WireWriter(UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
            encoder.write(storage, to: &writer)
            return writer.offset
        }
        bytes.removeLast(size - written)
    }

    /// Whether the message's canonical protobuf binary form (see ``serializedBytes()``) is exactly `bytes`.
    ///
    /// Stops at the size when it differs, and otherwise encodes into temporary memory rather than a new array.
    public func serializedBytesEqual(to bytes: [UInt8]) -> Bool {
        var encoder = WireEncoder()
        let size = encoder.measure(storage)
        guard size == bytes.count else { return false }
        guard size > 0 else { return true }
        return withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { buffer in
            var writer = WireWriter(buffer)
            encoder.write(storage, to: &writer)
            guard writer.offset == size, !writer.overflowed else { return false }
            return bytes.withUnsafeBytes { expected in
                memcmp(expected.baseAddress!, buffer.baseAddress!, size) == 0
            }
        }
    }

    /// The size in bytes of the canonical encoding.
    public func serializedSize() -> Int {
        var encoder = WireEncoder()
        return encoder.measure(storage)
    }
}
