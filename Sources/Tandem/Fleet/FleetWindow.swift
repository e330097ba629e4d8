/// The fleet's comparisons in a window: the buckets of every instance, made under one version of the fleet breaker.
public struct FleetWindow: Sendable, Hashable {
    /// The counts of each instance in the window.
    public var instances: [String: ComparisonCounts]
    /// Their sum.
    public var total: ComparisonCounts
    /// The ledger's second the window ends at.
    public var second: Int64

    /// Reads the window ending at the ledger's current second: `window` seconds back (a time window), or the newest
    /// whole seconds holding at least N comparisons within `horizon` seconds (a count window), or every bucket of
    /// `version` within `horizon` (nil: half-open probes). Only buckets made under `version` count.
    public static func read(
        backend: any LedgerBackend, version: Int64?, window: GateConfiguration.Window?, horizon: Int64
    ) throws(LedgerError) -> FleetWindow {
        let now = try backend.currentSecond()
        var since = now - horizon
        if case .seconds(let seconds) = window { since = now - Int64(seconds.rounded(.up)) + 1 }
        // (A bucket may lie a second ahead: counts made just after a change of version.)
        let buckets = try backend.buckets(since: since).filter {
            version == nil || $0.breakerVersion == version
        }
        var chosen = buckets
        if case .count(let count) = window {
            // The newest whole seconds until they hold `count` comparisons.
            chosen = []
            var held = 0
            var index = buckets.count - 1
            while index >= 0 && held < count {
                let second = buckets[index].second
                while index >= 0 && buckets[index].second == second {
                    chosen.append(buckets[index])
                    held += buckets[index].compared
                    index -= 1
                }
            }
        }
        var instances: [String: ComparisonCounts] = [:]
        var total = ComparisonCounts()
        for bucket in chosen {
            instances[bucket.instance, default: ComparisonCounts()].compared += bucket.compared
            instances[bucket.instance, default: ComparisonCounts()].mismatched += bucket.mismatched
            total.compared += bucket.compared
            total.mismatched += bucket.mismatched
        }
        return FleetWindow(instances: instances, total: total, second: now)
    }
}
