/// Compared and mismatched comparisons over some span (a window, or a breaker's probes).
public struct ComparisonCounts: Sendable, Hashable {
    /// Comparisons that entered the ratio (matches plus mismatches).
    public var compared: Int
    /// Comparisons that found a difference.
    public var mismatched: Int

    /// Creates counts.
    public init(compared: Int = 0, mismatched: Int = 0) {
        self.compared = compared
        self.mismatched = mismatched
    }

    /// Comparisons that found no difference.
    public var matched: Int { compared - mismatched }

    /// mismatched / compared, or 0 when nothing was compared.
    public var mismatchRate: Double { compared == 0 ? 0 : Double(mismatched) / Double(compared) }

    /// matched / compared, or 1 when nothing was compared (no mismatch has been seen).
    ///
    /// Computed as a quotient rather than `1 - mismatchRate`, so that 99,990 of 100,000 equals the literal 0.9999.
    public var consistency: Double { compared == 0 ? 1 : Double(matched) / Double(compared) }
}
