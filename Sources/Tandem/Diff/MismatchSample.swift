/// One sampled mismatching diff of a group, with the key it was seen on (values already redacted).
public struct MismatchSample: Sendable, Hashable {
    /// The record key.
    public var key: String
    /// The diff, at its exact path, with redacted values replaced by tokens.
    public var diff: FieldDiff

    /// Creates a sample.
    public init(key: String, diff: FieldDiff) {
        self.key = key
        self.diff = diff
    }
}
