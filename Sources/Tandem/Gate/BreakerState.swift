/// The state of the circuit breaker. Raw values are the names reports and the ledger use.
public enum BreakerState: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
    /// Healthy: the canary runs and the window is judged.
    case closed
    /// Tripped: the canary is halted until `open_seconds` have passed.
    case open
    /// Probing: the canary stays halted while the next `half_open_probes` comparisons decide.
    case halfOpen = "half_open"
    /// Opened by an operator: halted until ``CircuitBreaker/reset()``.
    case forcedOpen = "forced_open"
    /// Never evaluates, never halts.
    case disabled
    /// Evaluates and reports would-be trips, never halts.
    case metricsOnly = "metrics_only"

    /// The name reports and the ledger use (`half_open`).
    public var description: String { rawValue }

    /// Whether the canary is halted: every key is routed to the legacy path.
    ///
    /// `half_open` halts too: probes are shadow comparisons, which run whichever store answers the caller,
    /// so keeping callers on the legacy path while probing costs no evidence and risks no user.
    public var isHalting: Bool {
        switch self {
        case .open, .halfOpen, .forcedOpen: true
        case .closed, .disabled, .metricsOnly: false
        }
    }

    /// The value of the `tandem_breaker_state` gauge: a small fixed code per state.
    package var gaugeValue: Int {
        switch self {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        case .forcedOpen: 3
        case .disabled: 4
        case .metricsOnly: 5
        }
    }
}
