import TandemProto

/// One difference between a shadow record and its projected primary, at an exact path (DESIGN 4).
public struct FieldDiff: Sendable, Hashable, CustomStringConvertible {
    /// What kind of difference (**Contract**: the raw values appear in reports).
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        /// Both sides hold a value and the values differ.
        case changed
        /// The primary holds a value the shadow lacks.
        case missingInShadow = "missing_in_shadow"
        /// The shadow holds a value the primary lacks.
        case missingInPrimary = "missing_in_primary"
        /// A payload does not decode with its schema (path `$`).
        case undecodable
        /// The key has a primary row but no shadow row (path `$`).
        case recordMissingInShadow = "record_missing_in_shadow"
        /// The key has a shadow row but no primary row (path `$`).
        case recordMissingInPrimary = "record_missing_in_primary"

        /// The name reports use (`missing_in_shadow`).
        public var description: String { rawValue }
    }

    /// A value shown in a diff.
    public enum Value: Sendable, Hashable {
        /// The value itself.
        case proto(ProtoValue)
        /// A stand-in for a redacted value: `redacted:<first 12 hex of SHA-256(salt + value)>`.
        case redacted(String)
    }

    /// The exact path (`a.b`, `tags[2]`, `attrs["k"]`, `attrs[7]`, `$`).
    public var path: String
    /// What kind of difference.
    public var kind: Kind
    /// The shadow (v1) value, when it has one.
    public var v1: Value?
    /// The projected primary (v2) value, when it has one; unnarrowed when it does not fit the v1 field.
    public var v2: Value?
    /// More about the difference: the decoding error of an `undecodable` diff.
    public var detail: String?

    /// Creates a diff.
    public init(path: String, kind: Kind, v1: Value? = nil, v2: Value? = nil, detail: String? = nil) {
        self.path = path
        self.kind = kind
        self.v1 = v1
        self.v2 = v2
        self.detail = detail
    }

    /// Creates a diff from raw protobuf values.
    public init(path: String, kind: Kind, v1: ProtoValue?, v2: ProtoValue?) {
        self.init(path: path, kind: kind, v1: v1.map(Value.proto), v2: v2.map(Value.proto))
    }

    /// The path with indices and map keys replaced by `[*]`, as mismatch groups name fields.
    public var normalizedPath: String { DiffPath.normalized(path) }

    public var description: String {
        var text = "\(path): \(kind.rawValue)"
        if let v1 { text += " v1=\(v1)" }
        if let v2 { text += " v2=\(v2)" }
        if let detail { text += " (\(detail))" }
        return text
    }
}
