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
    /// How many times `breaker.open_seconds` the breaker stays open next (or now): 1, doubled after each failed
    /// recovery (probes that fail, or a re-trip before the fresh window held `min_samples` comparisons under budget)
    /// up to 16, back to 1 once a recovery holds or on a reset.
    public var backoff: Int

    /// Creates a snapshot.
    public init(
        state: BreakerState, window: ComparisonCounts, hasTripped: Bool, transitions: [BreakerTransition],
        backoff: Int = 1
    ) {
        self.state = state
        self.window = window
        self.hasTripped = hasTripped
        self.transitions = transitions
        self.backoff = backoff
    }

    /// Failed half-open probes: how often the breaker reopened after letting probes through (a flap).
    public var flaps: Int { transitions.count { $0.from == .halfOpen && $0.to == .open } }
}
