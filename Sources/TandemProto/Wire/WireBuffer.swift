/// Growable memory that protobuf bytes are written into with ``WireOutput``, kept from one message to the next so
/// that writing many messages allocates once.
public final class WireBuffer {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0

    /// Creates a buffer of `capacity` bytes at first (it grows as needed).
    public init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// The bytes of the last message written (see ``WireOutput/finish()``); valid until the next one is written.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: written) }
}
