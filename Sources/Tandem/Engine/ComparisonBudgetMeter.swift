/// Keeps the background comparator within its ``ComparisonBudget``: a bucket of CPU time that fills at the budget's
/// rate (a fraction of wall time, or a share of the process's CPU time) up to a small burst, out of which each batch of
/// comparisons is paid, at the CPU each comparison has cost lately.
///
/// Used by the comparator's thread only. Times are passed in (nanoseconds), so that tests drive it with their own.
struct ComparisonBudgetMeter {
    /// The CPU a comparison is assumed to cost before one has been measured (about a release build's).
    static let initialCost = 5_000.0
    /// The burst: at most this many nanoseconds of the budget's rate accumulate while comparisons are few.
    static let burstWindow = 100_000_000.0

    let budget: ComparisonBudget
    /// CPU nanoseconds the comparator may still spend (negative after a batch that cost more than was left).
    private(set) var credit: Double
    /// The most ``credit`` may hold.
    let capacity: Double
    /// CPU nanoseconds per comparison, a moving average over recent batches.
    private(set) var costPerComparison = Self.initialCost
    private var lastWall: UInt64
    private var lastProcessCPU: UInt64
    private var random: SplitMix64

    /// A meter starting with a full burst.
    ///
    /// - Parameter processCores: how many cores the process may use, bounding a process-share burst.
    init(budget: ComparisonBudget, wall: UInt64, processCPU: UInt64, processCores: Int, seed: UInt64) {
        self.budget = budget
        switch budget {
        case .unlimited: capacity = .infinity
        case .cores(let cores): capacity = max(0, cores) * Self.burstWindow
        case .processShare(let share): capacity = max(0, share) * Double(max(1, processCores)) * Self.burstWindow
        }
        credit = capacity
        lastWall = wall
        lastProcessCPU = processCPU
        random = SplitMix64(seed: seed)
    }

    /// Adds what the budget has earned since the last call.
    mutating func refill(wall: UInt64, processCPU: UInt64) {
        let elapsed = Double(wall &- lastWall)
        let spent = Double(processCPU &- lastProcessCPU)
        lastWall = wall
        lastProcessCPU = processCPU
        switch budget {
        case .unlimited: return
        case .cores(let cores): credit = min(capacity, credit + max(0, cores) * elapsed)
        case .processShare(let share): credit = min(capacity, credit + max(0, share) * spent)
        }
    }

    /// How many of `offered` comparisons the credit pays for now.
    func admissible(_ offered: Int) -> Int {
        if case .unlimited = budget { return offered }
        guard credit > 0, offered > 0 else { return 0 }
        let affordable = credit / max(1, costPerComparison)
        return affordable >= Double(offered) ? offered : Int(affordable.rounded(.up))
    }

    /// Pays for `comparisons` comparisons that took `cpu` nanoseconds, and learns their cost.
    mutating func charge(cpu: UInt64, comparisons: Int) {
        if case .unlimited = budget { return }
        credit -= Double(cpu)
        guard comparisons > 0 else { return }
        let cost = Double(cpu) / Double(comparisons)
        costPerComparison = costPerComparison * 0.75 + cost * 0.25
    }

    /// `count` of `items`, chosen uniformly at random (SplitMix64 draws, independent of the keys), in their order
    /// (selection sampling, Knuth's algorithm S); all of them when `count` is not smaller.
    mutating func choose<Item>(_ count: Int, of items: [Item]) -> [Item] {
        guard count < items.count else { return items }
        var chosen: [Item] = []
        chosen.reserveCapacity(count)
        var needed = count
        for (index, item) in items.enumerated() where needed > 0 {
            let left = UInt64(items.count - index)
            if random.next() % left < UInt64(needed) {
                chosen.append(item)
                needed -= 1
            }
        }
        return chosen
    }
}
