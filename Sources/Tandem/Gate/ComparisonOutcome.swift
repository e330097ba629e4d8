/// The result of one shadow comparison, as the gate counts it.
public enum ComparisonOutcome: String, Sendable, Hashable, CaseIterable {
    /// Both stores agreed.
    case match
    /// The stores disagreed (or a payload did not decode).
    case mismatch
    /// The two rows carried different sequence numbers even after a re-read: a write was in flight.
    /// Counted apart, never in the consistency ratio.
    case inFlight = "in_flight"
    /// The comparison was dropped because the verification queue was full. Counted apart, never in the ratio.
    case shed
}
