/// One protobuf value: a scalar, an enum number, a string, bytes, or a nested message.
///
/// Each declared type maps to one case: `int32`, `sint32` and `sfixed32` to ``int32(_:)``; `int64`, `sint64` and
/// `sfixed64` to ``int64(_:)``; `uint32` and `fixed32` to ``uint32(_:)``; `uint64` and `fixed64` to
/// ``uint64(_:)``; `group` and `message` to ``message(_:)``. A proto2 `string` field whose bytes are not valid
/// UTF-8 holds ``bytes(_:)``, so that it is re-encoded exactly as it was read.
///
/// Equality is exact: floats and doubles compare by bit pattern (NaN equals the same NaN, `-0.0` differs from
/// `0.0`), so that a value equals itself after a round trip through the wire format.
public enum ProtoValue: Sendable {
    /// An `int32`, `sint32` or `sfixed32` value.
    case int32(Int32)
    /// An `int64`, `sint64` or `sfixed64` value.
    case int64(Int64)
    /// A `uint32` or `fixed32` value.
    case uint32(UInt32)
    /// A `uint64` or `fixed64` value.
    case uint64(UInt64)
    /// A `float` value.
    case float(Float)
    /// A `double` value.
    case double(Double)
    /// A `bool` value.
    case bool(Bool)
    /// A `string` value.
    case string(String)
    /// A `bytes` value (or a proto2 `string` that is not valid UTF-8).
    case bytes([UInt8])
    /// An enum value, by number (open enums keep numbers that the enum does not declare).
    case enumValue(Int32)
    /// A nested message or group.
    case message(DynamicMessage)
}

extension ProtoValue: Hashable {
    /// Exact equality: same case and same value; floating-point values compare by bit pattern.
    @inlinable
    public static func == (lhs: ProtoValue, rhs: ProtoValue) -> Bool {
        switch (lhs, rhs) {
        case (.int32(let a), .int32(let b)): return a == b
        case (.int64(let a), .int64(let b)): return a == b
        case (.uint32(let a), .uint32(let b)): return a == b
        case (.uint64(let a), .uint64(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.enumValue(let a), .enumValue(let b)): return a == b
        case (.message(let a), .message(let b)): return a == b
        default: return false
        }
    }

    /// Hashes the case and the value (floating-point values by bit pattern).
    @inlinable
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int32(let v):
            hasher.combine(0 as UInt8)
            hasher.combine(v)
        case .int64(let v):
            hasher.combine(1 as UInt8)
            hasher.combine(v)
        case .uint32(let v):
            hasher.combine(2 as UInt8)
            hasher.combine(v)
        case .uint64(let v):
            hasher.combine(3 as UInt8)
            hasher.combine(v)
        case .float(let v):
            hasher.combine(4 as UInt8)
            hasher.combine(v.bitPattern)
        case .double(let v):
            hasher.combine(5 as UInt8)
            hasher.combine(v.bitPattern)
        case .bool(let v):
            hasher.combine(6 as UInt8)
            hasher.combine(v)
        case .string(let v):
            hasher.combine(7 as UInt8)
            hasher.combine(v.utf8.count)
            for byte in v.utf8 { hasher.combine(byte) }
        case .bytes(let v):
            hasher.combine(8 as UInt8)
            hasher.combine(v)
        case .enumValue(let v):
            hasher.combine(9 as UInt8)
            hasher.combine(v)
        case .message(let v):
            hasher.combine(10 as UInt8)
            hasher.combine(v)
        }
    }
}

extension ProtoValue {
    /// The value widened to `Int64`, for the four signed and unsigned integer cases and enums (a `uint64` above
    /// `Int64.max` is returned by bit pattern); `nil` otherwise.
    @inlinable public var int64Value: Int64? {
        switch self {
        case .int32(let v): return Int64(v)
        case .int64(let v): return v
        case .uint32(let v): return Int64(v)
        case .uint64(let v): return Int64(bitPattern: v)
        case .enumValue(let v): return Int64(v)
        default: return nil
        }
    }

    /// The string, for ``string(_:)``; `nil` otherwise.
    @inlinable public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The bytes, for ``bytes(_:)``; `nil` otherwise.
    @inlinable public var bytesValue: [UInt8]? {
        if case .bytes(let v) = self { return v }
        return nil
    }

    /// The message, for ``message(_:)``; `nil` otherwise.
    @inlinable public var messageValue: DynamicMessage? {
        if case .message(let v) = self { return v }
        return nil
    }

    /// The value as a `Double`, for ``float(_:)`` and ``double(_:)``; `nil` otherwise.
    @inlinable public var doubleValue: Double? {
        switch self {
        case .float(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    /// The Boolean, for ``bool(_:)``; `nil` otherwise.
    @inlinable public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }
}
