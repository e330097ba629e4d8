/// How the circuit breaker trips and recovers: the plan's `breaker:` keys.
///
/// The trip threshold itself (budget, confidence, min_samples, window) comes from ``GateConfiguration``.
public struct BreakerConfiguration: Sendable, Hashable {
    /// The state a new breaker starts in.
    public enum Mode: String, Sendable, Hashable {
        /// Trips and halts the canary (starts `closed`).
        case enforce
        /// Evaluates and reports, never halts (starts `metrics_only`).
        case metricsOnly = "metrics_only"
        /// Never evaluates (starts `disabled`).
        case disabled
    }

    /// Seconds the breaker stays open before letting probes decide (`breaker.open_seconds`). Default 30.
    public var openSeconds: Double
    /// Comparisons in half-open state that decide between closing and reopening
    /// (`breaker.half_open_probes`). Default 100.
    public var halfOpenProbes: Int
    /// The trip test runs once every this many comparisons while closed (`breaker.evaluation_interval`).
    /// Default 100.
    ///
    /// Testing after every comparison is optional stopping: each look is another chance of a false trip.
    /// See <doc:GateAndBreaker>.
    public var evaluationInterval: Int
    /// The confidence of the breaker's own tests, when stricter than the gate's (`breaker.trip_confidence`).
    /// Default `nil`: the gate's confidence.
    public var tripConfidence: Double?
    /// The state a new breaker starts in. Default ``Mode/enforce``.
    public var mode: Mode

    /// Creates a breaker configuration; every parameter defaults to the plan's default.
    public init(
        openSeconds: Double = 30,
        halfOpenProbes: Int = 100,
        evaluationInterval: Int = 100,
        tripConfidence: Double? = nil,
        mode: Mode = .enforce
    ) {
        self.openSeconds = openSeconds
        self.halfOpenProbes = halfOpenProbes
        self.evaluationInterval = evaluationInterval
        self.tripConfidence = tripConfidence
        self.mode = mode
    }

    /// Checks every value's range; the error names the plan key.
    public func validate() throws(GateConfigurationError) {
        guard openSeconds.isFinite, openSeconds >= 0, openSeconds <= GateConfigurationError.maxSeconds else {
            throw GateConfigurationError(
                .outOfRange, key: "breaker.open_seconds",
                requirement: "must be a number of seconds from 0 to \(Int(GateConfigurationError.maxSeconds))",
                value: "\(openSeconds)")
        }
        try GateConfigurationError.checkCount(halfOpenProbes, atLeast: 1, key: "breaker.half_open_probes")
        try GateConfigurationError.checkCount(evaluationInterval, atLeast: 1, key: "breaker.evaluation_interval")
        if let tripConfidence {
            try GateConfigurationError.checkOpenUnit(tripConfidence, key: "breaker.trip_confidence")
        }
    }
}
