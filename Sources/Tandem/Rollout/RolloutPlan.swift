/// The plan's optional `rollout:` block (DESIGN 12): the stages and canary steps a ``RolloutController`` walks, how
/// long it stays at each at least, and when it promotes or rolls back.
public struct RolloutPlan: Sendable, Hashable {
    /// When a step may promote.
    public enum PromoteCondition: String, Sendable, Hashable, CaseIterable {
        /// `gate.confident` on the evidence gathered since the step was entered, over at least `min_samples`.
        case confident
    }

    /// When the rollout goes back.
    public enum RollbackCondition: String, Sendable, Hashable, CaseIterable {
        /// The breaker opened: back to `shadow` (no key reads v2), halted until resumed.
        case breakerOpen = "breaker_open"
    }

    /// The stages to walk through, in order (`dualwrite`, `shadow`, `live`).
    public let stages: [MigrationStage]
    /// The percent of keys reading v2 at each step of `live`, increasing, ending at 100.
    public let canary: [Int]
    /// The least time at each step, in seconds.
    public let minDwellSeconds: Double
    /// When a step may promote.
    public let promoteWhen: PromoteCondition
    /// When the rollout goes back.
    public let rollbackOn: RollbackCondition

    /// A validated rollout block.
    ///
    /// - Throws: ``PlanError`` (`outOfRange`) naming the `rollout.*` key when the stages are not an increasing list
    ///   of `dualwrite`, `shadow` and `live`, the canary steps are not increasing percents from 1 to 100 ending at 100
    ///   (when `live` is listed), or the dwell is negative or not finite.
    public init(
        stages: [MigrationStage] = [.dualwrite, .shadow, .live], canary: [Int] = [1, 5, 25, 50, 100],
        minDwellSeconds: Double = 600, promoteWhen: PromoteCondition = .confident,
        rollbackOn: RollbackCondition = .breakerOpen
    ) throws(PlanError) {
        func fail(_ key: String, _ reason: String) -> PlanError {
            PlanError(.outOfRange, entry: "rollout." + key, anchor: "rollout." + key, reason: reason)
        }
        let walkable: [MigrationStage] = [.dualwrite, .shadow, .live]
        guard !stages.isEmpty else { throw fail("stages", "rollout.stages must list at least one stage") }
        for stage in stages where !walkable.contains(stage) {
            throw fail(
                "stages",
                "rollout.stages may list dualwrite, shadow and live (a rollout never enters \(stage.rawValue) by "
                    + "itself), found \(stage.rawValue)")
        }
        let order = stages.compactMap { walkable.firstIndex(of: $0) }
        guard zip(order, order.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw fail(
                "stages",
                "rollout.stages must be in rollout order (dualwrite, shadow, live) without repeats, found "
                    + stages.map(\.rawValue).joined(separator: ", "))
        }
        if stages.contains(.live) {
            guard stages.contains(.shadow) else {
                throw fail("stages", "rollout.stages must list shadow before live: a rollback goes back to shadow")
            }
            guard !canary.isEmpty else {
                throw fail("canary", "rollout.canary must list the live steps (e.g. [5, 100])")
            }
            for percent in canary where !(1...100).contains(percent) {
                throw fail("canary", "rollout.canary steps are percents from 1 to 100, found \(percent)")
            }
            guard zip(canary, canary.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw fail(
                    "canary",
                    "rollout.canary must increase step by step, found "
                        + canary.map(String.init).joined(separator: ", "))
            }
            guard canary.last == 100 else {
                throw fail("canary", "rollout.canary must end at 100 (the rollout ends with every key on v2)")
            }
        }
        guard minDwellSeconds.isFinite, minDwellSeconds >= 0, minDwellSeconds <= 31_536_000 else {
            throw fail(
                "min_dwell_seconds", "rollout.min_dwell_seconds must be from 0 to 31536000, found \(minDwellSeconds)")
        }
        self.stages = stages
        self.canary = stages.contains(.live) ? canary : []
        self.minDwellSeconds = minDwellSeconds
        self.promoteWhen = promoteWhen
        self.rollbackOn = rollbackOn
    }

    /// Every step in order: one per stage, and one per canary percent in `live`.
    public var steps: [RolloutStep] {
        stages.flatMap { stage in
            stage == .live
                ? canary.map { RolloutStep(stage: .live, canaryPercent: $0) }
                : [RolloutStep(stage: stage, canaryPercent: 0)]
        }
    }
}
