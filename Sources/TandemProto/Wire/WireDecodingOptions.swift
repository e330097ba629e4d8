/// Limits and choices for decoding protobuf binary payloads.
public struct WireDecodingOptions: Sendable, Hashable {
    /// How deeply messages and groups may nest; the top-level message is depth 1 (protobuf's default is 100).
    public var maxDepth: Int
    /// The largest payload accepted, in bytes (protobuf's hard limit is 2 GiB - 1).
    public var maxSize: Int
    /// Whether unknown fields are kept (and re-emitted when encoding) or dropped.
    public var keepsUnknownFields: Bool

    /// Creates decoding options.
    ///
    /// - Parameters:
    ///   - maxDepth: how deeply messages and groups may nest (default 100).
    ///   - maxSize: the largest payload accepted, in bytes (default 2 GiB - 1).
    ///   - keepsUnknownFields: whether unknown fields are kept (default `true`).
    public init(maxDepth: Int = 100, maxSize: Int = Int(Int32.max), keepsUnknownFields: Bool = true) {
        self.maxDepth = maxDepth
        self.maxSize = maxSize
        self.keepsUnknownFields = keepsUnknownFields
    }
}
