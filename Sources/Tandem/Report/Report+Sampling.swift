extension Report {
    /// How the run's reads were sampled for comparison: the plan's sample rate and what the background comparator's
    /// CPU budget (``ComparisonBudget``) skipped of the comparisons queued.
    public struct Sampling: Sendable, Hashable {
        /// The plan's `sample_rate`.
        public var rate: Double
        /// Queued comparisons that reached the CPU budget.
        public var budgetOffered: Int
        /// Of those, how many the budget skipped (never compared).
        public var budgetSkipped: Int
        /// Comparisons shed before reaching the comparator (queue full, or not run before shutdown): the report's
        /// `totals.shed`.
        public var shed: Int

        /// Creates sampling figures.
        public init(rate: Double, budgetOffered: Int = 0, budgetSkipped: Int = 0, shed: Int = 0) {
            self.rate = rate
            self.budgetOffered = budgetOffered
            self.budgetSkipped = budgetSkipped
            self.shed = shed
        }

        /// The share of reads actually compared: ``rate``, lowered by the share of the queued comparisons that the
        /// budget skipped or the queue shed.
        public var effectiveRate: Double {
            let asked = budgetOffered + shed
            guard asked > 0 else { return rate }
            return rate * Double(budgetOffered - budgetSkipped) / Double(asked)
        }
    }
}
