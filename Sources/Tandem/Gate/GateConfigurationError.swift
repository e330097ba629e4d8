import TandemProto

/// A gate, breaker or routing setting is out of range.
///
/// The message names the plan key and the accepted range:
/// `gate.min_consistency must be in (0, 1), got 1.5`.
public struct GateConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A value lies outside the range the key accepts.
        public static let outOfRange = Code(rawValue: "outOfRange")
    }

    /// What went wrong.
    public let code: Code
    /// The plan key concerned, for example `gate.min_consistency`.
    public let key: String
    /// The accepted range, for example `must be in (0, 1)`.
    public let requirement: String
    /// The rejected value as written.
    public let value: String

    /// Creates a configuration error about `key`.
    public init(_ code: Code, key: String, requirement: String, value: String) {
        self.code = code
        self.key = key
        self.requirement = requirement
        self.value = value
    }

    public var description: String { "\(key) \(requirement), got \(value)" }
}

extension GateConfigurationError {
    /// Throws unless `value` is finite and strictly between 0 and 1.
    static func checkOpenUnit(_ value: Double, key: String) throws(GateConfigurationError) {
        guard value.isFinite, value > 0, value < 1 else {
            throw GateConfigurationError(.outOfRange, key: key, requirement: "must be in (0, 1)", value: "\(value)")
        }
    }

    /// The largest count any setting may take: far above any real window or sample size, and far enough below
    /// `Int.max` that no sum or bucket arithmetic on it can overflow.
    static let maxCount = 1_000_000_000

    /// The longest duration any setting may take, in seconds (ten years).
    static let maxSeconds: Double = 315_360_000

    /// Throws unless `value` is at least `minimum` and at most ``maxCount``.
    static func checkCount(_ value: Int, atLeast minimum: Int, key: String) throws(GateConfigurationError) {
        try checkAtLeast(value, minimum, key: key)
        guard value <= maxCount else {
            throw GateConfigurationError(
                .outOfRange, key: key, requirement: "must be at most \(maxCount)", value: "\(value)")
        }
    }

    /// Throws unless `value` is at least `minimum`.
    static func checkAtLeast(_ value: Int, _ minimum: Int, key: String) throws(GateConfigurationError) {
        guard value >= minimum else {
            throw GateConfigurationError(
                .outOfRange, key: key, requirement: "must be at least \(minimum)", value: "\(value)")
        }
    }
}
