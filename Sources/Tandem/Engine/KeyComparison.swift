/// The result of comparing one key's two records.
public struct KeyComparison: Sendable, Hashable {
    /// The record key.
    public var key: String
    /// How the comparison counts: match, mismatch, or in flight (rows of different writes).
    public var outcome: ComparisonOutcome
    /// The differences, at exact paths (empty for a match); values of redacted paths are already replaced.
    public var diffs: [FieldDiff]
    /// Unknown fields seen in either payload (counted apart, never a mismatch).
    public var unknownFields: Int

    /// Creates a comparison result.
    public init(key: String, outcome: ComparisonOutcome, diffs: [FieldDiff] = [], unknownFields: Int = 0) {
        self.key = key
        self.outcome = outcome
        self.diffs = diffs
        self.unknownFields = unknownFields
    }
}
