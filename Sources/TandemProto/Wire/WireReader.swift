/// A cursor over protobuf binary bytes: reads tags, varints, fixed-width values and length-delimited slices,
/// reports byte offsets, and never allocates.
///
/// The reader borrows its buffer: the memory must stay valid for as long as the reader is used (use
/// ``withReader(_:_:)`` to read an array). Every read checks its bounds first and throws a
/// ``WireDecodingError`` carrying the offset of the element that does not fit; the reader never reads outside
/// `0..<endOffset`.
public struct WireReader {
    /// The whole buffer; offsets are measured from its start.
    public let buffer: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    @inlinable public var offset: Int { _offset }
    @usableFromInline var _offset: Int
    /// The offset one past the last byte this reader may read (the end of the enclosing message).
    public let endOffset: Int
    /// The offset of the tag most recently returned by ``nextTag()``.
    @inlinable public var tagOffset: Int { _tagOffset }
    @usableFromInline var _tagOffset: Int

    /// The largest field number protobuf allows (2^29 - 1).
    public static let maxFieldNumber: Int32 = 536_870_911

    /// Creates a reader over all of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.init(buffer, range: 0..<buffer.count)
    }

    /// Creates a reader over `range` of `buffer`; offsets stay relative to the start of `buffer`.
    ///
    /// A range outside the buffer is clamped to it.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) {
        self.buffer = buffer
        let lower = max(0, min(range.lowerBound, buffer.count))
        let upper = max(lower, min(range.upperBound, buffer.count))
        self._offset = lower
        self.endOffset = upper
        self._tagOffset = lower
    }

    /// Runs `body` with a reader over the bytes of `bytes`.
    public static func withReader<R, E: Error>(
        _ bytes: [UInt8], _ body: (inout WireReader) throws(E) -> R
    ) throws(E) -> R {
        let result: Result<R, E> = bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            do throws(E) { return .success(try body(&reader)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Whether every byte up to ``endOffset`` has been read.
    @inlinable public var isAtEnd: Bool { offset >= endOffset }

    /// The number of bytes left before ``endOffset``.
    @inlinable public var remaining: Int { endOffset - offset }

    /// Reads the next tag, or returns `nil` at the end of the reader's range.
    ///
    /// - Throws: ``WireDecodingError`` with `fieldNumberZero`, `fieldNumberOutOfRange`, `invalidWireType`, or a
    ///   varint error, at the tag's offset.
    @inlinable @inline(__always)
    public mutating func nextTag() throws(WireDecodingError) -> (fieldNumber: Int32, wireType: WireType)? {
        guard offset < endOffset else { return nil }
        let start = offset
        _tagOffset = start
        let key = try readVarint()
        // A tag is a uint32 varint: (field_number << 3) | wire_type (protobuf.dev, "Encoding": message structure).
        guard key <= UInt64(UInt32.max) else { throw WireDecodingError(.fieldNumberOutOfRange, offset: start) }
        let number = Int32(truncatingIfNeeded: key >> 3)
        guard let wireType = WireType(bits: key) else { throw WireDecodingError(.invalidWireType, offset: start) }
        guard number != 0 else { throw WireDecodingError(.fieldNumberZero, offset: start) }
        return (number, wireType)
    }

    /// Reads a base-128 varint of up to 10 bytes; bits beyond 64 in the tenth byte are dropped, as protobuf does.
    ///
    /// - Throws: `truncatedVarint` or `malformedVarint`, at the varint's first byte.
    @inlinable @inline(__always)
    public mutating func readVarint() throws(WireDecodingError) -> UInt64 {
        guard offset < endOffset else { throw WireDecodingError(.truncatedVarint, offset: offset) }
        let first = buffer[offset]
        if first < 0x80 {
            _offset &+= 1
            return UInt64(first)
        }
        // Two bytes: lengths up to 16 KiB and tags of fields 16 to 2047.
        if offset &+ 1 < endOffset {
            let second = buffer[offset &+ 1]
            if second < 0x80 {
                _offset &+= 2
                return UInt64(first & 0x7F) | UInt64(second) << 7
            }
        }
        return try readVarintSlow()
    }

    @usableFromInline
    mutating func readVarintSlow() throws(WireDecodingError) -> UInt64 {
        let start = offset
        var index = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < endOffset else { throw WireDecodingError(.truncatedVarint, offset: start) }
            let byte = buffer[index]
            index &+= 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                _offset = index
                return result
            }
            shift &+= 7
            // Ten bytes carry 70 bits; an eleventh byte cannot belong to a 64-bit varint.
            if shift >= 70 { throw WireDecodingError(.malformedVarint, offset: start) }
        }
    }

    /// Reads a little-endian fixed32 value.
    ///
    /// - Throws: `truncatedFixed` when fewer than 4 bytes are left.
    @inlinable @inline(__always)
    public mutating func readFixed32() throws(WireDecodingError) -> UInt32 {
        guard endOffset &- offset >= 4 else { throw WireDecodingError(.truncatedFixed, offset: offset) }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        _offset &+= 4
        return UInt32(littleEndian: value)
    }

    /// Reads a little-endian fixed64 value.
    ///
    /// - Throws: `truncatedFixed` when fewer than 8 bytes are left.
    @inlinable @inline(__always)
    public mutating func readFixed64() throws(WireDecodingError) -> UInt64 {
        guard endOffset &- offset >= 8 else { throw WireDecodingError(.truncatedFixed, offset: offset) }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        _offset &+= 8
        return UInt64(littleEndian: value)
    }

    /// Reads a length prefix and returns the offsets of the bytes it covers, moving past them.
    ///
    /// - Throws: `truncatedLength` when the length runs past the end of the buffer, `lengthPastEnd` when it runs
    ///   past ``endOffset`` (the enclosing message) or is 2 GiB or more; both at the length prefix's offset.
    @inlinable @inline(__always)
    public mutating func readLengthDelimited() throws(WireDecodingError) -> Range<Int> {
        let start = offset
        let length = try readVarint()
        guard length <= UInt64(endOffset &- offset) else {
            if length > UInt64(Int32.max) { throw WireDecodingError(.lengthPastEnd, offset: start) }
            if length > UInt64(buffer.count &- offset) { throw WireDecodingError(.truncatedLength, offset: start) }
            throw WireDecodingError(.lengthPastEnd, offset: start)
        }
        let lower = offset
        _offset &+= Int(length)
        return lower..<offset
    }

    /// Skips the value of a field whose tag has just been read, groups included (nested groups up to `maxDepth`).
    ///
    /// - Throws: `unmatchedEndGroup` for a stray end-group tag, `unterminatedGroup` for a group that is not
    ///   closed, `depthLimitExceeded`, or any read error.
    public mutating func skipField(
        wireType: WireType, fieldNumber: Int32, maxDepth: Int = 100
    ) throws(WireDecodingError) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup: try skipGroup(fieldNumber: fieldNumber, startOffset: tagOffset, depthLeft: maxDepth)
        case .endGroup: throw WireDecodingError(.unmatchedEndGroup, offset: tagOffset)
        }
    }

    /// Skips the fields of a group whose start tag (at `startOffset`) has been read, through its end tag.
    mutating func skipGroup(fieldNumber: Int32, startOffset: Int, depthLeft: Int) throws(WireDecodingError) {
        guard depthLeft > 0 else { throw WireDecodingError(.depthLimitExceeded, offset: startOffset) }
        while let (number, wireType) = try nextTag() {
            switch wireType {
            case .endGroup:
                // An end-group tag must carry the number of the group it closes (protobuf.dev, "Encoding": groups).
                guard number == fieldNumber else { throw WireDecodingError(.unmatchedEndGroup, offset: tagOffset) }
                return
            case .startGroup:
                try skipGroup(fieldNumber: number, startOffset: tagOffset, depthLeft: depthLeft - 1)
            default:
                try skipField(wireType: wireType, fieldNumber: number)
            }
        }
        throw WireDecodingError(.unterminatedGroup, offset: startOffset)
    }

    /// The bytes at `range` of the buffer (offsets from the buffer's start), clamped to the buffer.
    @inlinable @inline(__always)
    public func bytes(in range: Range<Int>) -> UnsafeRawBufferPointer {
        let lower = max(0, min(range.lowerBound, buffer.count))
        let upper = max(lower, min(range.upperBound, buffer.count))
        return UnsafeRawBufferPointer(rebasing: buffer[lower..<upper])
    }

    /// A reader over `range` (typically a length-delimited slice returned by ``readLengthDelimited()``).
    @inlinable
    public func subReader(_ range: Range<Int>) -> WireReader {
        WireReader(buffer, range: range)
    }
}
