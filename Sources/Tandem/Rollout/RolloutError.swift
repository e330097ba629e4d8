import TandemProto

/// A rollout command that was refused, or a rollout state the ledger could not keep.
public struct RolloutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The command does not apply now (promote past the last step, resume while the breaker halts, ...).
        public static let refused = Code(rawValue: "refused")
        /// The ledger could not be read or written (see ``RolloutError/reason``).
        public static let ledger = Code(rawValue: "ledger")
        /// The ledger's rollout row does not read as a rollout of this plan.
        public static let corrupt = Code(rawValue: "corrupt")
    }

    /// What went wrong.
    public var code: Code
    /// Why, in a sentence.
    public var reason: String

    /// An error.
    public init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `refused: <reason>`.
    public var description: String { "\(code.rawValue): \(reason)" }
}
