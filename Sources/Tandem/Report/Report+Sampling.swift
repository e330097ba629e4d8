extension Report {
    /// How the run's reads were sampled for comparison: the plan's sample rate and what the background comparator's
    /// CPU budget (``ComparisonBudget``) skipped of the comparisons queued.
    public struct Sampling: Sendable, Codable, Hashable {
        /// The plan's `sample_rate`.
        public var rate: Double
        /// Queued comparisons that reached the CPU budget.
        public var budgetOffered: Int
        /// Of those, how many the budget skipped (never compared).
        public var budgetSkipped: Int

        /// Creates sampling figures.
        public init(rate: Double, budgetOffered: Int = 0, budgetSkipped: Int = 0) {
            self.rate = rate
            self.budgetOffered = budgetOffered
            self.budgetSkipped = budgetSkipped
        }

        /// The share of reads actually compared: ``rate``, lowered by the share of the queued comparisons that the
        /// budget skipped or the queue shed (`shed`: comparisons dropped before reaching the comparator).
        public func effectiveRate(shed: Int) -> Double {
            let asked = budgetOffered + shed
            guard asked > 0 else { return rate }
            return rate * Double(budgetOffered - budgetSkipped) / Double(asked)
        }
    }

    /// The share of reads the run actually compared (see ``Sampling/effectiveRate(shed:)``), counting this report's
    /// queue sheds; `nil` when the report does not know its sampling.
    public var effectiveSampleRate: Double? { sampling?.effectiveRate(shed: totals.shed) }
}
