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
        var newest: Int?
        if case .count(let count) = window { newest = count }
        let instances = try backend.windowCounts(since: since, version: version, newest: newest)
        var total = ComparisonCounts()
        for counts in instances.values {
            total.compared += counts.compared
            total.mismatched += counts.mismatched
        }
        return FleetWindow(instances: instances, total: total, second: now)
    }
}
