/// The mismatches of one normalised path and kind (`scores[*]`, `changed`): a report's `fields` entry.
public struct MismatchGroup: Sendable, Hashable {
    /// The path with indices and map keys replaced by `[*]`.
    public var path: String
    /// The kind of difference.
    public var kind: FieldDiff.Kind
    /// How many diffs fell into the group.
    public var count: Int
    /// The first few diffs of the group, redacted, in arrival order.
    public var samples: [MismatchSample]

    /// Creates a group.
    public init(path: String, kind: FieldDiff.Kind, count: Int = 0, samples: [MismatchSample] = []) {
        self.path = path
        self.kind = kind
        self.count = count
        self.samples = samples
    }
}
