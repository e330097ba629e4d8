/// Where a rollout stands: a stage and, in `live`, the percent of keys reading v2.
public struct RolloutStep: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The migration stage.
    public var stage: MigrationStage
    /// The percent of keys reading v2 (0 outside `live`).
    public var canaryPercent: Int

    /// A step.
    public init(stage: MigrationStage, canaryPercent: Int) {
        self.stage = stage
        self.canaryPercent = canaryPercent
    }

    /// `shadow`, `live 25%`.
    public var description: String { stage == .live ? "live \(canaryPercent)%" : stage.rawValue }
}

extension MigrationStage: Codable {}
