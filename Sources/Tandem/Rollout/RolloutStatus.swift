import Foundation

/// A rollout's state: its step, whether it is halted or paused, the evidence since the step was entered, and every
/// decision so far. Persisted in the ledger's `rollout` state row, so a restarted process resumes it.
public struct RolloutStatus: Sendable, Hashable, Codable {
    /// The current step's index in ``RolloutPlan/steps``.
    public var stepIndex: Int
    /// The current step.
    public var step: RolloutStep
    /// When the current step was entered.
    public var enteredAt: Date
    /// Comparisons gathered since the step was entered (counts carried over a restart).
    public var compared: Int
    /// Mismatches among them.
    public var mismatched: Int
    /// The breaker opened: back at `shadow`, and no automatic decision until ``RolloutController/resume()``.
    public var halted: Bool
    /// An operator paused: no automatic decision until ``RolloutController/resume()``.
    public var paused: Bool
    /// The rollout is at its last step: every key on v2 (or the last listed stage). It never moves on by itself.
    public var finished: Bool
    /// Every decision, oldest first.
    public var decisions: [RolloutDecision]

    /// A status (the controller builds its own; reports and tests may build one).
    public init(
        stepIndex: Int, step: RolloutStep, enteredAt: Date, compared: Int, mismatched: Int, halted: Bool, paused: Bool,
        finished: Bool, decisions: [RolloutDecision]
    ) {
        self.stepIndex = stepIndex
        self.step = step
        self.enteredAt = enteredAt
        self.compared = compared
        self.mismatched = mismatched
        self.halted = halted
        self.paused = paused
        self.finished = finished
        self.decisions = decisions
    }

    /// The evidence's consistency (1 when nothing was compared).
    public var consistency: Double { compared == 0 ? 1 : Double(compared - mismatched) / Double(compared) }
}
