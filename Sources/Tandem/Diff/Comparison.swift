/// The outcome of comparing one key's two stored payloads.
public struct Comparison: Sendable, Hashable {
    /// The differences; empty when the pair matches.
    public var diffs: [FieldDiff]
    /// Unknown fields seen in either payload (counted apart, never mismatches: DESIGN 4).
    public var unknownFields: Int
    /// Whether the pair matched on the byte fast path, without a field walk.
    public var usedFastPath: Bool

    /// Creates a comparison outcome.
    public init(diffs: [FieldDiff], unknownFields: Int = 0, usedFastPath: Bool = false) {
        self.diffs = diffs
        self.unknownFields = unknownFields
        self.usedFastPath = usedFastPath
    }

    /// Whether the two records match.
    public var isMatch: Bool { diffs.isEmpty }
}
