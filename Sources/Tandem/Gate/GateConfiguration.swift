/// How the consistency gate judges a migration: the plan's `gate:` keys.
public struct GateConfiguration: Sendable, Codable, Hashable {
    /// The sliding window the breaker judges (`gate.window` or `gate.window_seconds`).
    public enum Window: Sendable, Codable, Hashable {
        /// The last N comparisons (`gate.window: N`).
        ///
        /// Kept in at most 100 buckets: the window holds the most recent whole buckets of
        /// s = ceil(N / 100) comparisons plus the one filling, so between N - 2s + 1 and N comparisons once
        /// full. Exact when N <= 100.
        case count(Int)
        /// The comparisons of the last `seconds` by the gate's clock (`gate.window_seconds: S`).
        ///
        /// Kept in 60 buckets of S / 60 seconds: the window spans between 59/60 S and S.
        case seconds(Double)
    }

    /// The consistency (matched / compared) the migration must reach, in (0, 1). Default 0.9999.
    ///
    /// `1 - minConsistency` is the mismatch budget the breaker defends.
    public var minConsistency: Double
    /// The two-sided confidence level of the reported interval and of breaker decisions, in (0, 1).
    /// Default 0.95.
    public var confidence: Double
    /// Comparisons needed before the gate can pass and before the breaker may trip. Default 1000.
    public var minSamples: Int
    /// The sliding window the breaker judges. Default: the last 100,000 comparisons.
    public var window: Window

    /// Creates a gate configuration; every parameter defaults to the plan's default.
    public init(
        minConsistency: Double = 0.9999,
        confidence: Double = 0.95,
        minSamples: Int = 1000,
        window: Window = .count(100_000)
    ) {
        self.minConsistency = minConsistency
        self.confidence = confidence
        self.minSamples = minSamples
        self.window = window
    }

    /// The mismatch rate the migration may not exceed: `1 - minConsistency`.
    public var mismatchBudget: Double { 1 - minConsistency }

    /// Checks every value's range; the error names the plan key.
    public func validate() throws(GateConfigurationError) {
        try GateConfigurationError.checkOpenUnit(minConsistency, key: "gate.min_consistency")
        try GateConfigurationError.checkOpenUnit(confidence, key: "gate.confidence")
        try GateConfigurationError.checkCount(minSamples, atLeast: 1, key: "gate.min_samples")
        switch window {
        case .count(let count):
            // A window smaller than min_samples never holds enough comparisons, so the breaker could never trip.
            try GateConfigurationError.checkCount(count, atLeast: max(minSamples, 1), key: "gate.window")
        case .seconds(let seconds):
            guard seconds.isFinite, seconds > 0 else {
                throw GateConfigurationError(
                    .outOfRange, key: "gate.window_seconds", requirement: "must be a positive number of seconds",
                    value: "\(seconds)")
            }
            guard seconds <= GateConfigurationError.maxSeconds else {
                throw GateConfigurationError(
                    .outOfRange, key: "gate.window_seconds",
                    requirement: "must be at most \(Int(GateConfigurationError.maxSeconds)) seconds",
                    value: "\(seconds)")
            }
        }
    }
}
