/// Chooses, per key, whether a read is served by the v2 canary or by the legacy path.
///
/// A stable share of keys (``canaryPercent``, chosen by a salted hash of the key) goes to v2 while the breaker lets the
/// canary run (`closed`, `metrics_only`, `disabled`); every key goes to legacy while it halts (`open`,
/// `half_open`, `forced_open`). Both stores keep being written and compared either way: routing only decides
/// which answer the caller gets, in stages where both stores are written.
public struct Router: Sendable {
    /// Where a read goes.
    public enum Route: String, Sendable, Hashable {
        /// The new path: the primary (v2) store answers.
        case v2
        /// The legacy path: the shadow (v1) store answers.
        case legacy
    }

    /// The share of keys in the canary, in percent (0...100).
    public let canaryPercent: Double
    /// The salt of the key hash; a different salt picks a different, independent set of canary keys.
    public let salt: String
    /// The breaker whose halt sends every key to legacy, if any.
    public let breaker: CircuitBreaker?

    /// Creates a router.
    ///
    /// - Throws: ``GateConfigurationError`` when `canaryPercent` is not within 0...100.
    public init(canaryPercent: Double, salt: String = "tandem.canary", breaker: CircuitBreaker? = nil)
        throws(GateConfigurationError)
    {
        guard canaryPercent.isFinite, canaryPercent >= 0, canaryPercent <= 100 else {
            throw GateConfigurationError(
                .outOfRange, key: "canary_percent", requirement: "must be in [0, 100]", value: "\(canaryPercent)")
        }
        self.canaryPercent = canaryPercent
        self.salt = salt
        self.breaker = breaker
    }

    /// Whether `key` belongs to the canary share, whatever the breaker says.
    public func isCanary(_ key: String) -> Bool {
        KeyHash.unit(key, salt: salt) < canaryPercent / 100
    }

    /// Where a read of `key` goes now.
    public func route(_ key: String) -> Route {
        guard isCanary(key) else { return .legacy }
        if let breaker, breaker.isHalting { return .legacy }
        return .v2
    }
}
