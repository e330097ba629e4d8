/// How a whitelisted v1 field is computed from its v2 source (DESIGN 3, `convert:`).
public enum FieldConvert: Sendable, Hashable, CustomStringConvertible {
    /// google.protobuf.Timestamp -> integer milliseconds: seconds * 1000 + floor(nanos / 1e6).
    case timestampMillis
    /// google.protobuf.Timestamp -> integer seconds.
    case timestampSeconds
    /// google.protobuf.*Value wrapper -> the scalar it wraps.
    case unwrap
    /// string -> bytes (its UTF-8).
    case stringBytes
    /// bytes -> string (the bytes as UTF-8).
    case bytesString
    /// number -> decimal string.
    case toString
    /// enum -> enum by the given v2 value name -> v1 value name map (names not in the map match by name, then
    /// by number).
    case enumMap([String: String])
    /// A convert registered by name in a ``ConvertRegistry``.
    case named(String)

    /// The convert called `name` in a plan: a built-in, or else a named convert.
    public init(name: String) {
        switch name {
        case "timestamp_millis": self = .timestampMillis
        case "timestamp_seconds": self = .timestampSeconds
        case "unwrap": self = .unwrap
        case "string_bytes": self = .stringBytes
        case "bytes_string": self = .bytesString
        case "to_string": self = .toString
        default: self = .named(name)
        }
    }

    /// The name as written in a plan (`enum` for an enum map).
    public var description: String {
        switch self {
        case .timestampMillis: return "timestamp_millis"
        case .timestampSeconds: return "timestamp_seconds"
        case .unwrap: return "unwrap"
        case .stringBytes: return "string_bytes"
        case .bytesString: return "bytes_string"
        case .toString: return "to_string"
        case .enumMap: return "enum"
        case .named(let name): return name
        }
    }
}
