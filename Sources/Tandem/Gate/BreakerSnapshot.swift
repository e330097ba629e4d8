/// The breaker's state and the evidence it is judging, at one moment.
public struct BreakerSnapshot: Sendable, Hashable {
    /// The current state.
    public var state: BreakerState
    /// Comparisons in the breaker's window (emptied when a half-open breaker closes or on reset).
    public var window: ComparisonCounts
    /// Whether the breaker ever tripped on evidence during this run (a `metrics_only` would-be trip counts;
    /// an operator's ``CircuitBreaker/forceOpen()`` does not).
    public var hasTripped: Bool
    /// Every transition so far, oldest first.
    public var transitions: [BreakerTransition]

    /// Creates a snapshot.
    public init(state: BreakerState, window: ComparisonCounts, hasTripped: Bool, transitions: [BreakerTransition]) {
        self.state = state
        self.window = window
        self.hasTripped = hasTripped
        self.transitions = transitions
    }
}
