import Foundation

/// One decision of a rollout, with the evidence it was taken on (the report's `rollout.steps`).
public struct RolloutDecision: Sendable, Hashable, Codable {
    /// Why the rollout moved or changed.
    public struct Reason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The reason's name, as reports spell it.
        public var rawValue: String
        /// A reason named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The reason's name.
        public var description: String { rawValue }

        /// The rollout started at its first step.
        public static let start = Reason(rawValue: "start")
        /// `dualwrite` stayed `min_dwell_seconds`: it needs no comparisons.
        public static let dwell = Reason(rawValue: "dwell")
        /// The gate was confident on the step's own evidence, after `min_dwell_seconds`.
        public static let confident = Reason(rawValue: "confident")
        /// The breaker opened: back to `shadow`, halted.
        public static let breakerOpen = Reason(rawValue: "breaker_open")
        /// An operator promoted.
        public static let manualPromote = Reason(rawValue: "manual_promote")
        /// An operator rolled back to `shadow`.
        public static let manualRollback = Reason(rawValue: "manual_rollback")
        /// An operator paused: no automatic decision until resumed.
        public static let pause = Reason(rawValue: "pause")
        /// An operator resumed a paused or halted rollout.
        public static let resume = Reason(rawValue: "resume")
    }

    /// When (the controller's clock).
    public var at: Date
    /// The step after the decision.
    public var step: RolloutStep
    /// Why.
    public var reason: Reason
    /// Consistency of the evidence the decision was taken on (1 when there was none).
    public var consistency: Double
    /// Comparisons in that evidence.
    public var samples: Int

    /// A decision.
    public init(at: Date, step: RolloutStep, reason: Reason, consistency: Double, samples: Int) {
        self.at = at
        self.step = step
        self.reason = reason
        self.consistency = consistency
        self.samples = samples
    }
}
