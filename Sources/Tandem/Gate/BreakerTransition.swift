import Foundation

/// One change of the breaker's state, as the report and the ledger record it.
public struct BreakerTransition: Sendable, Codable, Hashable {
    /// When it happened, by the breaker's clock. An open breaker turns half-open at the moment
    /// `open_seconds` ran out, even when it is noticed later.
    public var at: Date
    /// The state before.
    public var from: BreakerState
    /// The state after.
    public var to: BreakerState
    /// The mismatch rate of the evidence behind the change: the window's when tripping, the probes' when
    /// a half-open breaker decides.
    public var mismatchRate: Double
    /// The comparisons behind `mismatchRate`.
    public var samples: Int

    /// Creates a transition.
    public init(at: Date, from: BreakerState, to: BreakerState, mismatchRate: Double, samples: Int) {
        self.at = at
        self.from = from
        self.to = to
        self.mismatchRate = mismatchRate
        self.samples = samples
    }
}
