import Foundation

/// The fleet breaker's state row in the ledger (``FleetBreaker/stateRow``): the state every instance follows, the
/// open period's back-off, and the evidence and instance behind the last change. Stored as JSON.
public struct FleetBreakerState: Sendable, Hashable, Codable {
    /// The fleet's breaker state.
    public var state: BreakerState
    /// How many times `open_seconds` the current (or next) open period lasts: doubled after each failed half-open
    /// probe, capped at 16, back to 1 after a half-open that closes.
    public var backoff: Int
    /// The comparisons behind the change.
    public var samples: Int
    /// Their mismatch rate.
    public var mismatchRate: Double
    /// The instance that made the change.
    public var by: String
    /// Why, in a few words (`fleet window over budget`, `instance web-3:41 tripped`, `probes passed`).
    public var reason: String
    /// The gate settings the change was judged by (what `tandem status` judges the window by).
    public var gate: GateConfiguration?

    /// Creates a state value.
    public init(
        state: BreakerState, backoff: Int = 1, samples: Int = 0, mismatchRate: Double = 0, by: String,
        reason: String, gate: GateConfiguration? = nil
    ) {
        self.gate = gate
        self.state = state
        self.backoff = backoff
        self.samples = samples
        self.mismatchRate = mismatchRate
        self.by = by
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case state, backoff, samples
        case mismatchRate = "mismatch_rate"
        case by, reason, gate
    }

    /// The row's bytes.
    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(self)).map { Array($0) } ?? Array("{}".utf8)
    }

    /// Reads a row's bytes; nil when they are not a fleet breaker state.
    package static func decode(_ bytes: [UInt8]) -> FleetBreakerState? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(FleetBreakerState.self, from: Data(bytes))
    }
}
