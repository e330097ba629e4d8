/// Run totals of the consistency gate: every comparison since the gate was created.
public struct GateTotals: Sendable, Hashable {
    /// Comparisons that entered the ratio: `matched + mismatched`.
    public var compared: Int
    /// Comparisons where both stores agreed.
    public var matched: Int
    /// Comparisons where the stores disagreed.
    public var mismatched: Int
    /// Comparisons skipped because a write was in flight; not in the ratio.
    public var inFlight: Int
    /// Comparisons dropped under load; not in the ratio.
    public var shed: Int

    /// Creates totals.
    public init(compared: Int = 0, matched: Int = 0, mismatched: Int = 0, inFlight: Int = 0, shed: Int = 0) {
        self.compared = compared
        self.matched = matched
        self.mismatched = mismatched
        self.inFlight = inFlight
        self.shed = shed
    }

    /// Adds one outcome.
    mutating func add(_ outcome: ComparisonOutcome) {
        switch outcome {
        case .match:
            compared += 1
            matched += 1
        case .mismatch:
            compared += 1
            mismatched += 1
        case .inFlight: inFlight += 1
        case .shed: shed += 1
        }
    }

    /// The compared and mismatched counts.
    public var counts: ComparisonCounts { ComparisonCounts(compared: compared, mismatched: mismatched) }
}
