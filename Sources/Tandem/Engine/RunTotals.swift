/// Counts of one run that the gate does not keep: operations by kind, bad input, repairs, unknown fields, and the
/// comparisons of each cohort.
public struct RunTotals: Sendable, Hashable {
    /// Comparisons and mismatches of one cohort.
    public struct Cohort: Sendable, Hashable {
        /// Comparisons made (matches and mismatches).
        public var compared = 0
        /// Mismatches among them.
        public var mismatched = 0
        /// Creates cohort counts.
        public init(compared: Int = 0, mismatched: Int = 0) {
            self.compared = compared
            self.mismatched = mismatched
        }
    }

    /// Writes applied.
    public var writes = 0
    /// Reads served.
    public var reads = 0
    /// Deletes applied.
    public var deletes = 0
    /// Input lines that could not be used.
    public var badLines = 0
    /// Pending outbox rows replayed into the shadow.
    public var repaired = 0
    /// Unknown fields seen in compared payloads.
    public var unknownFields = 0
    /// Shadow rows whose write failed after the primary committed, still waiting in the outbox.
    public var shadowPending = 0
    /// Writes that failed (typed error raised to the caller).
    public var failedWrites = 0
    /// Comparisons by cohort.
    public var cohorts: [String: Cohort] = [:]

    /// Creates empty totals.
    public init() {}
}
