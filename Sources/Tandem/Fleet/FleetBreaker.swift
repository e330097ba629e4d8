import Dispatch
import Foundation
import Logging
import Synchronization

/// One gate and one breaker for every instance of a service, kept in a ledger they share (DESIGN section 10, "Fleet
/// ledger"): a PostgreSQL ledger for a fleet, any ``LedgerBackend`` in tests.
///
/// Each instance publishes its comparison counts to one-second buckets of the ledger's clock (absolute counts, set by
/// assignment, tagged with the fleet breaker's version), and judges the fleet's window, the buckets of every instance
/// made under the current version. The breaker's state is one state row (``stateRow``) that changes only by
/// compare-and-set: the instance whose evaluation finds the window over budget (or whose own breaker tripped) opens
/// it, any instance turns it half-open once the open period is over, and the fleet's probes (the counts under the
/// half-open version) close or reopen it; an instance that loses a race adopts the winner's row. Every instance
/// applies the row to its own ``CircuitBreaker`` (which then leaves `open` and `half_open` only when told) and records
/// the version it applied and when (``appliedRow(_:)``); a ledger that announces changes (``LedgerChangeFeed``) has them
/// applied at once, polling staying the fallback. An instance that cannot read the row for
/// ``Configuration/unreachablePolls`` polls in a row halts its canary until it can.
///
/// Run it with ``run()`` (the ``TandemMigration`` facade does, given a fleet ledger), or call ``poll()`` yourself.
public final class FleetBreaker: Sendable {
    /// The name of the fleet breaker's state row.
    public static let stateRow = "fleet_breaker"

    /// The state row in which `instance` records the fleet breaker version it applied (its value is the version in
    /// decimal, its `updatedAt` when it applied it).
    public static func appliedRow(_ instance: String) -> String { stateRow + ".applied." + instance }

    /// How often the fleet breaker looks at the ledger.
    public struct Configuration: Sendable {
        /// How often the state row is read (and a change applied).
        public var pollInterval: Duration
        /// How often this instance's counts are published and the fleet's window judged.
        public var evaluationInterval: Duration
        /// How far back, in seconds, a count window (`gate.window: N`) looks for the fleet's newest N comparisons.
        public var countWindowHorizon: Int64
        /// Polls in a row that cannot read the state row before the canary halts.
        public var unreachablePolls: Int

        /// Creates a configuration; every parameter has a default.
        public init(
            pollInterval: Duration = .milliseconds(250), evaluationInterval: Duration = .seconds(1),
            countWindowHorizon: Int64 = 600, unreachablePolls: Int = 2
        ) {
            self.pollInterval = pollInterval
            self.evaluationInterval = evaluationInterval
            self.countWindowHorizon = countWindowHorizon
            self.unreachablePolls = unreachablePolls
        }
    }

    /// The ledger the fleet shares.
    public let backend: any LedgerBackend
    /// This instance's name in the ledger.
    public let instance: String
    /// The polling settings.
    public let configuration: Configuration

    /// The gate whose totals this instance publishes (and whose breaker follows the fleet's).
    public let gate: ConsistencyGate
    private let breaker: CircuitBreaker
    private let judge: BreakerMachine
    private let logger: Logger?

    private struct State {
        /// The gate's totals as last published, and the bucket of the current second.
        var published = ComparisonCounts()
        var bucket: LedgerBucket?
        /// Buckets sent, until a write of them succeeds.
        var unsent: [LedgerBucket] = []
        /// The state row's version this instance applied (-1: none, or to be applied again).
        var applied: Int64 = -1
        var appliedRowVersion: Int64?
        /// The applied version last written to this instance's applied row.
        var recorded: Int64 = -1
        var row: LedgerStateRow?
        var failures = 0
        var unreachable = false
        /// When a read of the state row last succeeded (nil before the first poll).
        var lastRead: ContinuousClock.Instant?
        /// The state this instance last moved its breaker to (an `open` it did not adopt is its own trip).
        var adopted: BreakerState?
        var lastEvaluation: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// Held through a poll: two callers of ``poll()`` never run one at once.
    private let polling = Mutex(())

    /// A fleet breaker for this instance's `gate` (whose breaker it drives) over `backend`.
    ///
    /// - Parameters:
    ///   - backend: The ledger every instance of the service shares.
    ///   - instance: This instance's name (`host:pid` when nil); two live instances must not share one.
    ///   - gate: The gate whose totals are published; it must feed a breaker, which follows the fleet's from now on.
    ///   - configuration: Polling settings.
    ///   - logger: Where changes of the fleet's state and unreachable ledgers are logged.
    /// - Throws: ``GateConfigurationError`` when the gate feeds no breaker.
    public init(
        backend: any LedgerBackend, instance: String? = nil, gate: ConsistencyGate,
        configuration: Configuration = .init(), logger: Logger? = nil
    ) throws(GateConfigurationError) {
        guard let breaker = gate.breaker else {
            throw GateConfigurationError(
                .outOfRange, key: "breaker", requirement: "must be set for a fleet breaker (the gate feeds none)",
                value: "none")
        }
        self.backend = backend
        self.instance = instance ?? Ledger.defaultInstance()
        self.configuration = configuration
        self.gate = gate
        self.breaker = breaker
        judge = BreakerMachine(gate: gate.configuration, breaker: breaker.configuration)
        self.logger = logger
        breaker.followFleet()
    }

    /// Whether this instance halted its canary because it could not read the fleet's state.
    public var isUnreachable: Bool { state.withLock { $0.unreachable } }

    /// The fleet's state row as last read (nil before the first successful poll).
    public var lastState: (version: Int64, state: FleetBreakerState)? {
        state.withLock { state in
            state.row.flatMap { row in FleetBreakerState.decode(row.value).map { (row.version, $0) } }
        }
    }

    /// Polls until cancelled: the state row every ``Configuration/pollInterval`` and whenever the ledger announces a
    /// change (``LedgerChangeFeed``), the counts and the fleet's window every ``Configuration/evaluationInterval``.
    /// The polls run on a thread of their own (ledger calls block), never on the caller's executor.
    public func run() async {
        let wake = DispatchSemaphore(value: 0)
        let stop = Atomic<Bool>(false)
        // The fail-safe runs beside the polls: a poll blocked on a ledger that does not answer (a partition, a
        // reconnect's retries) must not keep the canary running.
        let watchdog = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tandem.fleet-breaker.watchdog"))
        watchdog.schedule(
            deadline: .now() + configuration.pollInterval.seconds, repeating: configuration.pollInterval.seconds)
        // An instance that never reads the row halts as one that stopped reading it.
        state.withLock { state in if state.lastRead == nil { state.lastRead = ContinuousClock.now } }
        watchdog.setEventHandler { [self] in checkReadable() }
        watchdog.resume()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    var watch: (any LedgerChangeWatch)?
                    while !stop.load(ordering: .acquiring) {
                        poll()
                        if let feed = backend as? any LedgerChangeFeed, watch?.isActive != true {
                            // A change announced by the ledger is applied at once, not at the next poll; a lost
                            // announcement connection is opened again after the next poll.
                            watch?.close()
                            do throws(LedgerError) {
                                watch = try feed.watchChanges(of: Self.stateRow) { wake.signal() }
                            } catch {
                                watch = nil
                                logger?.warning(
                                    "fleet ledger announcements unavailable; polling only",
                                    metadata: ["error": "\(error.description)", "tandem.fleet.instance": "\(instance)"])
                            }
                        }
                        _ = wake.wait(timeout: .now() + configuration.pollInterval.seconds)
                    }
                    watch?.close()
                    // The last counts go out as the instance stops.
                    polling.withLock { _ in
                        do throws(LedgerError) { try publish() } catch {
                            logger?.warning(
                                "fleet ledger: the last counts were not published",
                                metadata: ["error": "\(error.description)", "tandem.fleet.instance": "\(instance)"])
                        }
                    }
                    done.resume()
                }
                thread.name = "tandem.fleet-breaker"
                thread.start()
            }
        } onCancel: {
            stop.store(true, ordering: .releasing)
            wake.signal()
        }
        watchdog.cancel()
    }

    /// Halts the canary once no read of the state row succeeded for ``Configuration/unreachablePolls`` poll
    /// intervals, whatever the polls are doing (run by ``run()``'s watchdog, and by each failed poll).
    private func checkReadable() {
        let now = ContinuousClock.now
        let limit = configuration.pollInterval * configuration.unreachablePolls
        let halt = state.withLock { state -> Bool in
            guard let last = state.lastRead, now - last >= limit, !state.unreachable else { return false }
            state.unreachable = true
            return true
        }
        if halt { haltUnreadable(because: "no read of the state row for \(limit)") }
    }

    /// One poll: reads the fleet's state row and applies a change; when an evaluation is due, publishes this
    /// instance's counts and makes the fleet breaker's next transition if the evidence calls for one.
    public func poll() {
        polling.withLock { _ in pollOnce() }
    }

    private func pollOnce() {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            guard let last = state.lastEvaluation, now - last < configuration.evaluationInterval else {
                state.lastEvaluation = now
                return true
            }
            return false
        }
        let row: LedgerStateRow
        do { row = try readRow() } catch {
            unreachable(error)
            return
        }
        // Only a state row that cannot be read halts the canary; a failed write is tried again at the next poll.
        state.withLock { state in
            state.failures = 0
            state.lastRead = ContinuousClock.now
        }
        do throws(LedgerError) {
            try apply(row)
            if due {
                try publish()
                let next = try evaluate(row)
                if next.version != row.version { try apply(next) }
            }
        } catch {
            logger?.warning(
                "fleet ledger write failed; retried at the next poll",
                metadata: ["error": "\(error.description)", "tandem.fleet.instance": "\(instance)"])
        }
    }

    // MARK: - Steps

    /// The state row, created closed by the first instance that finds none.
    private func readRow() throws(LedgerError) -> LedgerStateRow {
        if let row = try backend.state(Self.stateRow) { return row }
        // The first instance's breaker mode becomes the fleet's (an operator changes it in the row afterwards).
        let mode: BreakerState =
            switch breaker.configuration.mode {
            case .enforce: .closed
            case .metricsOnly: .metricsOnly
            case .disabled: .disabled
            }
        let initial = FleetBreakerState(
            state: mode, by: instance, reason: "first instance", gate: gate.configuration)
        return try backend.compareAndSet(Self.stateRow, expected: nil, value: initial.encoded()).row
    }

    /// Publishes the counts made since the last publication to the bucket of the ledger's current second, under the
    /// fleet breaker version this instance applied. A bucket whose write failed is sent again as it was (it may have
    /// landed: buckets are set by assignment, so sending it twice never counts it twice).
    private func publish() throws(LedgerError) {
        let second = try backend.currentSecond()
        let totals = gate.totals.counts
        let buckets = state.withLock { state -> [LedgerBucket] in
            let compared = totals.compared - state.published.compared
            let mismatched = totals.mismatched - state.published.mismatched
            let version = max(state.applied, 0)
            var send: [LedgerBucket] = []
            if compared > 0 {
                // A bucket keeps the version it was made under: counts made after a change of version within a
                // second go to the next second (at most a second late), never into the other version's evidence.
                var bucket = LedgerBucket(
                    instance: instance, second: second, compared: 0, mismatched: 0, breakerVersion: version)
                if let current = state.bucket, current.second >= second {
                    if current.breakerVersion == version {
                        bucket = current
                    } else {
                        bucket.second = current.second + 1
                    }
                }
                bucket.compared += compared
                bucket.mismatched += mismatched
                state.published = totals
                state.bucket = bucket
                send.append(bucket)
            }
            // Buckets not yet known to be written go again; a second's newest bucket replaces its older ones.
            state.unsent = state.unsent.filter { $0.second != send.first?.second } + send
            return state.unsent
        }
        guard !buckets.isEmpty else { return }
        try backend.recordCounts(buckets)
        state.withLock { state in
            state.unsent.removeAll { sent in buckets.contains(sent) }
        }
    }

    /// The fleet breaker's next transition, if the evidence calls for one; returns the row now stored.
    private func evaluate(_ row: LedgerStateRow) throws(LedgerError) -> LedgerStateRow {
        guard let current = FleetBreakerState.decode(row.value) else { throw corrupt(row) }
        let applied = state.withLock { $0.applied }
        let next: FleetBreakerState?
        switch current.state {
        case .closed:
            let window = try FleetWindow.read(
                backend: backend, version: row.version, window: gate.configuration.window,
                horizon: configuration.countWindowHorizon)
            let local = breaker.snapshot()
            if applied == row.version && local.state == .open && state.withLock({ $0.adopted != .open }) {
                // This instance's own breaker tripped while the fleet's was closed: the fleet opens with it.
                next = FleetBreakerState(
                    state: .open, backoff: current.backoff, samples: local.window.compared,
                    mismatchRate: local.window.mismatchRate, by: instance, reason: "instance \(instance) tripped",
                    gate: gate.configuration)
            } else if window.total.compared >= gate.configuration.minSamples && judge.exceedsBudget(window.total) {
                next = FleetBreakerState(
                    state: .open, backoff: current.backoff, samples: window.total.compared,
                    mismatchRate: window.total.mismatchRate, by: instance, reason: "fleet window over budget",
                    gate: gate.configuration)
            } else {
                next = nil
            }
        case .open:
            let now = try backend.currentSecond() * 1000
            let openMillis = Int64(breaker.configuration.openSeconds * 1000) * Int64(max(current.backoff, 1))
            next =
                now >= row.updatedAt + openMillis
                ? FleetBreakerState(
                    state: .halfOpen, backoff: current.backoff, by: instance, reason: "open period over",
                    gate: gate.configuration) : nil
        case .halfOpen:
            let probes = try FleetWindow.read(
                backend: backend, version: row.version, window: nil, horizon: configuration.countWindowHorizon
            ).total
            if probes.compared < breaker.configuration.halfOpenProbes {
                next = nil
            } else if judge.exceedsBudget(probes) {
                next = FleetBreakerState(
                    state: .open, backoff: min(current.backoff * 2, BreakerMachine.maxBackoff),
                    samples: probes.compared, mismatchRate: probes.mismatchRate, by: instance,
                    reason: "probes over budget", gate: gate.configuration)
            } else {
                next = FleetBreakerState(
                    state: .closed, backoff: 1, samples: probes.compared, mismatchRate: probes.mismatchRate,
                    by: instance, reason: "probes passed", gate: gate.configuration)
            }
        case .forcedOpen, .disabled, .metricsOnly:
            // An operator's state: only an operator changes it.
            next = nil
        }
        guard let next else { return row }
        let outcome = try backend.compareAndSet(Self.stateRow, expected: row.version, value: next.encoded())
        if outcome.won {
            logger?.log(
                level: next.state == .open ? .warning : .notice,
                "fleet breaker \(current.state.rawValue) -> \(next.state.rawValue): \(next.reason)",
                metadata: [
                    "tandem.fleet.version": "\(outcome.row.version)", "tandem.fleet.instance": "\(instance)",
                    "tandem.breaker.mismatch_rate": "\(next.mismatchRate)", "tandem.breaker.samples": "\(next.samples)",
                ])
        }
        return outcome.row
    }

    /// Applies a version of the state row this instance has not applied yet, and records that it did.
    private func apply(_ row: LedgerStateRow) throws(LedgerError) {
        let (applied, recorded, wasUnreachable) = state.withLock { state in
            state.row = row
            return (state.applied, state.recorded, state.unreachable)
        }
        guard row.version != applied || wasUnreachable else {
            // Applied, but its record did not reach the ledger: try again.
            if recorded != applied { try recordApplied(applied) }
            return
        }
        guard let fleet = FleetBreakerState.decode(row.value) else { throw corrupt(row) }
        // Counts made under the version this instance followed until now are published under it, never the next
        // (counts made before it followed any go to the first version it follows).
        if applied >= 0 { try publish() }
        // A trip of this instance's own breaker (not adopted from the fleet, nor from an unreadable ledger) is
        // evidence: a closed fleet does not erase it; the next evaluation opens the fleet with it.
        let keepsOwnTrip =
            fleet.state == .closed && breaker.state == .open && state.withLock { $0.adopted != .open }
        if !keepsOwnTrip {
            let samples = min(max(fleet.samples, 0), 1 << 52)
            let rate = fleet.mismatchRate.isFinite ? min(max(fleet.mismatchRate, 0), 1) : 0
            breaker.adopt(
                fleet.state, backoff: fleet.backoff,
                evidence: ComparisonCounts(compared: samples, mismatched: Int((Double(samples) * rate).rounded())))
        }
        state.withLock { state in
            state.applied = row.version
            state.unreachable = false
            if !keepsOwnTrip { state.adopted = fleet.state }
        }
        if wasUnreachable { logger?.notice("fleet ledger readable again: following the fleet breaker") }
        try recordApplied(row.version)
    }

    /// Writes the applied version to this instance's own row (nobody else writes it).
    private func recordApplied(_ version: Int64) throws(LedgerError) {
        let name = Self.appliedRow(instance)
        var expected = state.withLock { $0.appliedRowVersion }
        if expected == nil { expected = try backend.state(name)?.version }
        for _ in 0..<4 {
            let outcome = try backend.compareAndSet(name, expected: expected, value: Array(String(version).utf8))
            if outcome.won {
                state.withLock { state in
                    state.appliedRowVersion = outcome.row.version
                    state.recorded = version
                }
                return
            }
            expected = outcome.row.version == 0 ? nil : outcome.row.version
        }
    }

    /// A poll that could not read or write the ledger; the canary halts after ``Configuration/unreachablePolls``.
    private func unreachable(_ error: LedgerError) {
        let halt = state.withLock { state -> Bool in
            state.failures += 1
            guard state.failures >= configuration.unreachablePolls, !state.unreachable else { return false }
            state.unreachable = true
            return true
        }
        if halt { haltUnreadable(because: error.description) }
    }

    /// Halts the canary (this instance's breaker opens, as its own state, never the fleet's) until a read succeeds.
    private func haltUnreadable(because reason: String) {
        logger?.error(
            "fleet ledger unreadable: canary halted until it answers",
            metadata: ["error": "\(reason)", "tandem.fleet.instance": "\(instance)"])
        state.withLock { $0.adopted = .open }
        breaker.adopt(.open, backoff: 1, evidence: ComparisonCounts())
    }

    private func corrupt(_ row: LedgerStateRow) -> LedgerError {
        LedgerError(
            code: .corrupt, path: backend.name,
            message: "state row \(row.name) version \(row.version) is not a fleet breaker state")
    }
}
