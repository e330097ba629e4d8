/// A progress sample of a running replay or verify.
public struct ReplayProgress: Sendable {
    /// Lines (replay) or keys (verify) processed.
    public var processed: Int
    /// Seconds since the start.
    public var elapsed: Double
    /// Consistency over the run so far.
    public var consistency: Double
    /// Comparisons so far.
    public var compared: Int
    /// The breaker's state.
    public var breakerState: BreakerState

    /// Creates a progress sample.
    public init(processed: Int, elapsed: Double, consistency: Double, compared: Int, breakerState: BreakerState) {
        self.processed = processed
        self.elapsed = elapsed
        self.consistency = consistency
        self.compared = compared
        self.breakerState = breakerState
    }

    /// Records per second so far.
    public var rate: Double { elapsed > 0 ? Double(processed) / elapsed : 0 }
}
