import SwiftProtobuf

/// The declared type of a protobuf field, numbered as in `google.protobuf.FieldDescriptorProto.Type`.
public enum FieldType: Int, Sendable, Hashable, CaseIterable {
    /// 64-bit IEEE 754 float (fixed64 on the wire).
    case double = 1
    /// 32-bit IEEE 754 float (fixed32 on the wire).
    case float = 2
    /// Signed 64-bit integer, varint (negative values take 10 bytes).
    case int64 = 3
    /// Unsigned 64-bit integer, varint.
    case uint64 = 4
    /// Signed 32-bit integer, varint (negative values take 10 bytes).
    case int32 = 5
    /// Unsigned 64-bit integer, always 8 bytes.
    case fixed64 = 6
    /// Unsigned 32-bit integer, always 4 bytes.
    case fixed32 = 7
    /// Boolean, varint 0 or 1.
    case bool = 8
    /// UTF-8 text, length-delimited.
    case string = 9
    /// A proto2 group: a message delimited by start- and end-group tags.
    case group = 10
    /// A message, length-delimited.
    case message = 11
    /// Arbitrary bytes, length-delimited.
    case bytes = 12
    /// Unsigned 32-bit integer, varint.
    case uint32 = 13
    /// An enum value, varint (int32 range).
    case `enum` = 14
    /// Signed 32-bit integer, always 4 bytes.
    case sfixed32 = 15
    /// Signed 64-bit integer, always 8 bytes.
    case sfixed64 = 16
    /// Signed 32-bit integer, ZigZag varint.
    case sint32 = 17
    /// Signed 64-bit integer, ZigZag varint.
    case sint64 = 18

    /// The wire type a single (unpacked) value of this type is written with.
    public var wireType: WireType {
        switch self {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum: return .varint
        case .fixed64, .sfixed64, .double: return .fixed64
        case .fixed32, .sfixed32, .float: return .fixed32
        case .string, .bytes, .message: return .lengthDelimited
        case .group: return .startGroup
        }
    }

    /// Whether repeated values of this type may be packed (every numeric scalar and enum).
    public var isPackable: Bool {
        switch self {
        case .string, .bytes, .message, .group: return false
        default: return true
        }
    }

    /// Whether this is a message-typed field (`message` or `group`).
    public var isMessage: Bool { self == .message || self == .group }

    /// The name protobuf's text format and `.proto` files use for this type (`int32`, `message`, ...).
    public var protoName: String {
        switch self {
        case .double: return "double"
        case .float: return "float"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .int32: return "int32"
        case .fixed64: return "fixed64"
        case .fixed32: return "fixed32"
        case .bool: return "bool"
        case .string: return "string"
        case .group: return "group"
        case .message: return "message"
        case .bytes: return "bytes"
        case .uint32: return "uint32"
        case .enum: return "enum"
        case .sfixed32: return "sfixed32"
        case .sfixed64: return "sfixed64"
        case .sint32: return "sint32"
        case .sint64: return "sint64"
        }
    }

    init?(_ proto: Google_Protobuf_FieldDescriptorProto.TypeEnum) {
        self.init(rawValue: proto.rawValue)
    }
}
