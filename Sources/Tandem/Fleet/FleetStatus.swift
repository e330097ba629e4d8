/// The fleet's gate and breaker as its ledger holds them (what `tandem status` shows): the fleet breaker's state
/// and version, the fleet's window under that version with its consistency interval and verdict, and each
/// instance's counts, last bucket and applied version.
public struct FleetStatus: Sendable {
    /// One instance of the fleet.
    public struct Instance: Sendable, Hashable {
        /// Its name (host:pid unless configured).
        public var name: String
        /// Its comparisons in the fleet's window.
        public var window: ComparisonCounts
        /// The ledger's second of its newest bucket (within the horizon), nil when it has none there.
        public var lastSeen: Int64?
        /// The fleet breaker version it last applied.
        public var appliedVersion: Int64?
        /// When it applied it (the ledger's Unix milliseconds).
        public var appliedAt: Int64?
    }

    /// The fleet breaker's state row (nil before any instance ran).
    public var breaker: FleetBreakerState?
    /// Its version (0 before any instance ran).
    public var version: Int64
    /// When it last changed (the ledger's Unix milliseconds; 0 before any instance ran).
    public var changedAt: Int64
    /// The fleet's window under the current version.
    public var window: FleetWindow
    /// The window's consistency interval at the gate's confidence.
    public var interval: WilsonInterval
    /// The gate settings the window was judged by.
    public var gate: GateConfiguration
    /// The gate's verdict on the window (the breaker counts as tripped while it halts).
    public var verdict: GateVerdict
    /// Every instance with a bucket within the horizon, by name (an instance silent for longer is not listed).
    public var instances: [Instance]

    /// Reads the fleet's status from `backend`, judging the window by `gate` (nil: the settings the fleet breaker's
    /// last change was judged by, else the defaults); `horizon` bounds, in seconds, how far back a count window and
    /// the instances' last buckets are looked for.
    public static func read(backend: any LedgerBackend, gate: GateConfiguration? = nil, horizon: Int64 = 600)
        throws(LedgerError) -> FleetStatus
    {
        let row = try backend.state(FleetBreaker.stateRow)
        let breaker = try row.map { (row) throws(LedgerError) -> FleetBreakerState in
            guard let state = FleetBreakerState.decode(row.value) else {
                throw LedgerError(
                    code: .corrupt, path: backend.name,
                    message: "state row \(row.name) version \(row.version) is not a fleet breaker state")
            }
            return state
        }
        let gate = gate ?? breaker?.gate ?? GateConfiguration()
        let window = try FleetWindow.read(
            backend: backend, version: row?.version ?? 0, window: gate.window, horizon: horizon)
        let recent = try backend.buckets(since: window.second - horizon)
        var lastSeen: [String: Int64] = [:]
        for bucket in recent { lastSeen[bucket.instance] = max(lastSeen[bucket.instance] ?? 0, bucket.second) }
        var instances: [Instance] = []
        for name in Set(lastSeen.keys).union(window.instances.keys).sorted() {
            let applied = try backend.state(FleetBreaker.appliedRow(name))
            instances.append(
                Instance(
                    name: name, window: window.instances[name] ?? ComparisonCounts(), lastSeen: lastSeen[name],
                    appliedVersion: applied.flatMap { Int64(String(decoding: $0.value, as: UTF8.self)) },
                    appliedAt: applied?.updatedAt))
        }
        let counts = window.total
        let halting = breaker?.state.isHalting ?? false
        return FleetStatus(
            breaker: breaker, version: row?.version ?? 0, changedAt: row?.updatedAt ?? 0, window: window,
            interval: WilsonInterval(successes: counts.matched, trials: counts.compared, confidence: gate.confidence),
            gate: gate, verdict: GateVerdict(totals: counts, breakerTripped: halting, configuration: gate),
            instances: instances)
    }
}
