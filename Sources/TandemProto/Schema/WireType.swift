/// The protobuf wire types (protobuf.dev, "Encoding": message structure).
public enum WireType: UInt8, Sendable, Hashable {
    /// int32, int64, uint32, uint64, sint32, sint64, bool, enum.
    case varint = 0
    /// fixed64, sfixed64, double: eight little-endian bytes.
    case fixed64 = 1
    /// string, bytes, messages, packed repeated fields: a varint length, then that many bytes.
    case lengthDelimited = 2
    /// The start of a proto2 group.
    case startGroup = 3
    /// The end of a proto2 group.
    case endGroup = 4
    /// fixed32, sfixed32, float: four little-endian bytes.
    case fixed32 = 5

    /// The wire type in the low three bits of a tag's varint `key`; `nil` for 6 and 7, which no encoding uses.
    @inlinable @inline(__always)
    public init?(bits key: UInt64) {
        switch key & 7 {
        case 0: self = .varint
        case 1: self = .fixed64
        case 2: self = .lengthDelimited
        case 3: self = .startGroup
        case 4: self = .endGroup
        case 5: self = .fixed32
        default: return nil
        }
    }
}
