import Foundation
import Logging
import Synchronization
import Tandem
import TandemPostgres
import TandemTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One instance of a fleet in a test: its own gate and breaker, and the fleet breaker over the shared ledger.
struct FleetMember {
    let gate: ConsistencyGate
    let breaker: CircuitBreaker
    let fleet: FleetBreaker

    init(
        _ backend: any LedgerBackend, _ name: String, gate configuration: GateConfiguration,
        breaker breakerConfiguration: BreakerConfiguration
    ) throws {
        breaker = try CircuitBreaker(gate: configuration, configuration: breakerConfiguration, logger: gateTestLogger)
        gate = try ConsistencyGate(configuration: configuration, breaker: breaker)
        fleet = try FleetBreaker(
            backend: backend, instance: name, gate: gate,
            configuration: .init(pollInterval: .milliseconds(20), evaluationInterval: .zero))
    }

    /// Records `compared` comparisons, the first `mismatched` of them differing.
    func record(_ compared: Int, mismatched: Int) {
        gate.record((0..<compared).map { $0 < mismatched ? .mismatch : .match })
    }
}

/// A ledger whose calls can be made to fail: after writing (an answer lost on the way back) or before.
final class FlakyLedger: LedgerBackend {
    let inner: any LedgerBackend
    let failing = Atomic<Bool>(false)
    let loseNextCountsAnswer = Atomic<Bool>(false)
    /// Writes (counts, compare-and-set) fail; reads work.
    let failingWrites = Atomic<Bool>(false)
    /// Reads of state rows hang (a partitioned connection) until cleared.
    let hanging = Atomic<Bool>(false)
    var name: String { inner.name }

    init(_ inner: any LedgerBackend) { self.inner = inner }

    private func check() throws(LedgerError) {
        if failing.load(ordering: .acquiring) {
            throw LedgerError(code: .openFailed, path: name, message: "the connection failed (test)")
        }
    }

    func writeTransitions(_ transitions: [LedgerTransition]) throws(LedgerError) {
        try check()
        try inner.writeTransitions(transitions)
    }
    func writeCheckpoint(_ report: Report, pending: [LedgerTransition]) throws(LedgerError) {
        try check()
        try inner.writeCheckpoint(report, pending: pending)
    }
    func loadReport() throws(LedgerError) -> Report {
        try check()
        return try inner.loadReport()
    }
    private func checkWrite() throws(LedgerError) {
        try check()
        if failingWrites.load(ordering: .acquiring) {
            throw LedgerError(code: .writeFailed, path: name, message: "the write failed (test)")
        }
    }

    func recordCounts(_ buckets: [LedgerBucket]) throws(LedgerError) {
        try checkWrite()
        try inner.recordCounts(buckets)
        if loseNextCountsAnswer.exchange(false, ordering: .acquiringAndReleasing) {
            throw LedgerError(code: .openFailed, path: name, message: "the answer was lost (test)")
        }
    }
    func currentSecond() throws(LedgerError) -> Int64 {
        try check()
        return try inner.currentSecond()
    }
    func buckets(since: Int64) throws(LedgerError) -> [LedgerBucket] {
        try check()
        return try inner.buckets(since: since)
    }
    func state(_ name: String) throws(LedgerError) -> LedgerStateRow? {
        while hanging.load(ordering: .acquiring) { usleep(5_000) }
        try check()
        return try inner.state(name)
    }
    func compareAndSet(_ name: String, expected: Int64?, value: [UInt8]) throws(LedgerError)
        -> (won: Bool, row: LedgerStateRow)
    {
        try checkWrite()
        return try inner.compareAndSet(name, expected: expected, value: value)
    }
}

/// The fleet breaker (DESIGN section 10, "Fleet ledger") over the in-memory ledger and, when a server is set,
/// PostgreSQL: one gate and one breaker for every instance.
@Suite("Fleet breaker")
struct FleetBreakerTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case memory, postgres
        var testDescription: String { rawValue }
        static var allCases: [Kind] { [.memory] + (PostgresTestServer.url == nil ? [] : [.postgres]) }

        func ledger() throws -> any LedgerBackend {
            switch self {
            case .memory: return InMemoryLedgerBackend()
            case .postgres: return try PostgresLedgerBackend(location: PostgresLedgerTests.freshLedger())
            }
        }
    }

    static let gate = GateConfiguration(minConsistency: 0.99, minSamples: 1000, window: .seconds(120))
    /// A gate each instance trips on alone after 100 comparisons.
    static let local = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .seconds(120))

    /// `count` instances named `prefix-0`... on `backend`, judged by `gate`, open for 600 s when tripped.
    static func members(_ backend: any LedgerBackend, _ prefix: String, count: Int, gate: GateConfiguration = local)
        throws -> [FleetMember]
    {
        try (0..<count).map {
            try FleetMember(backend, "\(prefix)-\($0)", gate: gate, breaker: .init(openSeconds: 600))
        }
    }

    static func state(_ backend: any LedgerBackend) throws -> FleetBreakerState? {
        try backend.state(FleetBreaker.stateRow).flatMap { FleetBreakerState.decode($0.value) }
    }

    @Test(arguments: Kind.allCases)
    func theFleetsWindowOpensEveryInstancesBreakerThoughNoInstanceTrippedAlone(kind: Kind) throws {
        let backend = try kind.ledger()
        let members = try (0..<4).map {
            try FleetMember(backend, "web-\($0)", gate: Self.gate, breaker: .init(openSeconds: 600))
        }
        // 400 comparisons each (under min_samples), 10% mismatches on one instance: 2.5% of the fleet's 1,600.
        for (index, member) in members.enumerated() { member.record(400, mismatched: index == 0 ? 40 : 0) }
        #expect(members.allSatisfy { $0.breaker.state == .closed }, "no instance has the evidence alone")
        for member in members { member.fleet.poll() }
        #expect(try Self.state(backend)?.state == .open)
        #expect(try Self.state(backend)?.reason == "fleet window over budget")
        for member in members { member.fleet.poll() }
        #expect(members.allSatisfy { $0.breaker.state == .open && $0.breaker.isHalting })

        // Three instances' counts were enough (40 of 1,200); the fourth published its own under the open version.
        let status = try FleetStatus.read(backend: backend, gate: Self.gate)
        #expect(status.breaker?.state == .open)
        #expect(status.breaker?.samples == 1_200)
        let closed = try FleetWindow.read(backend: backend, version: 1, window: Self.gate.window, horizon: 600)
        #expect(closed.total == ComparisonCounts(compared: 1_200, mismatched: 40))
        #expect(status.window.total == ComparisonCounts(compared: 400, mismatched: 0))
        // The fleet's counts are the instances' own, summed over the same window.
        let window = try FleetWindow.read(backend: backend, version: nil, window: Self.gate.window, horizon: 600)
        #expect(window.total == ComparisonCounts(compared: 1_600, mismatched: 40))
        for member in members {
            #expect(window.instances[member.fleet.instance] == member.gate.totals.counts)
        }
        #expect(status.instances.map(\.name) == ["web-0", "web-1", "web-2", "web-3"])
        #expect(status.instances.allSatisfy { $0.appliedVersion == status.version })
    }

    @Test(arguments: Kind.allCases)
    func oneInstanceWhoseOwnBreakerTripsOpensTheFleet(kind: Kind) throws {
        let backend = try kind.ledger()
        let members = try Self.members(backend, "api", count: 3)
        for member in members { member.fleet.poll() }
        members[2].record(300, mismatched: 90)
        #expect(members[2].breaker.state == .open)
        #expect(!members[0].breaker.isHalting)
        members[2].fleet.poll()
        let opened = try #require(try Self.state(backend))
        #expect(opened.state == .open)
        #expect(opened.by == "api-2")
        #expect(opened.reason == "instance api-2 tripped")
        for member in members.prefix(2) { member.fleet.poll() }
        #expect(members.allSatisfy { $0.breaker.isHalting })
    }

    @Test(arguments: Kind.allCases)
    func theFleetsProbesCloseTheBreakerOrReopenItForTwiceAsLong(kind: Kind) throws {
        let backend = try kind.ledger()
        let local = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .seconds(120))
        let members = try (0..<2).map {
            try FleetMember(backend, "p-\($0)", gate: local, breaker: .init(openSeconds: 1, halfOpenProbes: 200))
        }
        members[0].record(300, mismatched: 90)
        for _ in 0..<2 { for member in members { member.fleet.poll() } }
        #expect(try Self.state(backend)?.state == .open)

        // Once the open period is over (by the ledger's clock), any instance turns it half-open.
        try Self.waitUntil(seconds: 5) {
            for member in members { member.fleet.poll() }
            return try Self.state(backend)?.state == .halfOpen
        }
        for member in members { member.fleet.poll() }
        #expect(members.allSatisfy { $0.breaker.state == .halfOpen })
        // Probes over budget, 120 from each instance: open again, for twice as long.
        for member in members { member.record(120, mismatched: 30) }
        for member in members { member.fleet.poll() }
        let reopened = try #require(try Self.state(backend))
        #expect(reopened.state == .open)
        #expect(reopened.backoff == 2)
        #expect(reopened.reason == "probes over budget")
        #expect(reopened.samples == 240)

        try Self.waitUntil(seconds: 6) {
            for member in members { member.fleet.poll() }
            return try Self.state(backend)?.state == .halfOpen
        }
        for member in members { member.fleet.poll() }
        // Clean probes close it, back to one open period, with a fresh window.
        for member in members { member.record(150, mismatched: 0) }
        for member in members { member.fleet.poll() }
        let closed = try #require(try Self.state(backend))
        #expect(closed.state == .closed)
        #expect(closed.backoff == 1)
        for member in members { member.fleet.poll() }
        #expect(members.allSatisfy { $0.breaker.state == .closed && !$0.breaker.isHalting })
    }

    @Test
    func anInstanceThatCannotReadTheStateHaltsUntilItCan() throws {
        let shared = InMemoryLedgerBackend()
        let flaky = FlakyLedger(shared)
        let member = try FleetMember(flaky, "lonely", gate: Self.gate, breaker: .init())
        member.fleet.poll()
        #expect(!member.breaker.isHalting)
        flaky.failing.store(true, ordering: .releasing)
        member.fleet.poll()
        #expect(!member.breaker.isHalting, "one failed poll is not yet a lost ledger")
        member.fleet.poll()
        #expect(member.breaker.isHalting)
        #expect(member.fleet.isUnreachable)
        flaky.failing.store(false, ordering: .releasing)
        member.fleet.poll()
        #expect(!member.fleet.isUnreachable)
        #expect(member.breaker.state == .closed, "it follows the fleet's closed breaker again")
        #expect(try Self.state(shared)?.state == .closed, "its halt never reached the fleet")

        // Writes that fail while the row reads fine halt nothing; what they carried goes out once they work again.
        flaky.failingWrites.store(true, ordering: .releasing)
        member.record(50, mismatched: 0)
        for _ in 0..<3 { member.fleet.poll() }
        #expect(!member.breaker.isHalting)
        #expect(!member.fleet.isUnreachable)
        flaky.failingWrites.store(false, ordering: .releasing)
        member.fleet.poll()
        #expect(try shared.buckets(since: 0).reduce(0) { $0 + $1.compared } == 50)
    }

    @Test
    func aPollHangingOnTheLedgerStillHaltsTheCanaryInTwoPollIntervals() async throws {
        let shared = InMemoryLedgerBackend()
        let flaky = FlakyLedger(shared)
        let breaker = try CircuitBreaker(gate: Self.gate, configuration: .init(), logger: gateTestLogger)
        let fleet = try FleetBreaker(
            backend: flaky, instance: "hung", gate: try ConsistencyGate(configuration: Self.gate, breaker: breaker),
            configuration: .init(pollInterval: .milliseconds(50), evaluationInterval: .milliseconds(50)))
        let running = Task { await fleet.run() }
        defer {
            flaky.hanging.store(false, ordering: .releasing)
            running.cancel()
        }
        while fleet.lastState == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!breaker.isHalting)
        // The next read never answers: the poll thread is stuck in it, and the canary must halt all the same.
        flaky.hanging.store(true, ordering: .releasing)
        let hung = ContinuousClock.now
        while !breaker.isHalting && ContinuousClock.now - hung < .seconds(10) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(breaker.isHalting)
        #expect(fleet.isUnreachable)
        // The ledger answers again: the instance follows the fleet's closed breaker.
        flaky.hanging.store(false, ordering: .releasing)
        let back = ContinuousClock.now
        while breaker.isHalting && ContinuousClock.now - back < .seconds(10) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(breaker.state == .closed)
    }

    @Test(arguments: Kind.allCases)
    func aTripBeforeTheFirstPollIsNotErasedByTheFleetsClosedState(kind: Kind) throws {
        let backend = try kind.ledger()
        let clean = try Self.members(backend, "clean", count: 3)
        // Plenty of clean comparisons elsewhere: the fleet's window alone stays under budget.
        for member in clean {
            member.record(5_000, mismatched: 0)
            member.fleet.poll()
        }
        let late = try FleetMember(backend, "late", gate: Self.local, breaker: .init(openSeconds: 600))
        late.record(200, mismatched: 60)
        #expect(late.breaker.state == .open)
        late.fleet.poll()
        #expect(late.breaker.state == .open, "its own trip stands")
        let opened = try #require(try Self.state(backend))
        #expect(opened.state == .open)
        #expect(opened.reason == "instance late tripped")
    }

    @Test(arguments: Kind.allCases)
    func countsMadeBeforeAChangeAreTheOldVersionsEvidence(kind: Kind) throws {
        let backend = try kind.ledger()
        let local = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .seconds(120))
        let quiet = try FleetMember(backend, "quiet", gate: local, breaker: .init(openSeconds: 600))
        let tripping = try FleetMember(backend, "tripping", gate: local, breaker: .init(openSeconds: 600))
        quiet.fleet.poll()
        tripping.fleet.poll()
        // Made while the fleet is closed (version 1), published only when the change to open (version 2) arrives.
        quiet.record(50, mismatched: 0)
        tripping.record(200, mismatched: 60)
        tripping.fleet.poll()
        #expect(try Self.state(backend)?.state == .open)
        quiet.fleet.poll()
        let buckets = try backend.buckets(since: 0).filter { $0.instance == "quiet" }
        #expect(buckets.filter { $0.breakerVersion == 1 }.reduce(0) { $0 + $1.compared } == 50)
        #expect(buckets.filter { $0.breakerVersion == 2 }.isEmpty)
    }

    @Test
    func theFirstInstancesBreakerModeBecomesTheFleets() throws {
        let backend = InMemoryLedgerBackend()
        let watcher = try FleetMember(backend, "watcher", gate: Self.gate, breaker: .init(mode: .metricsOnly))
        watcher.fleet.poll()
        #expect(try Self.state(backend)?.state == .metricsOnly)
        #expect(watcher.breaker.state == .metricsOnly)
    }

    @Test
    func countsAreExactWhenAWriteIsRepeatedAfterItsAnswerWasLost() throws {
        let shared = InMemoryLedgerBackend()
        let flaky = FlakyLedger(shared)
        let member = try FleetMember(flaky, "retry", gate: Self.gate, breaker: .init())
        member.record(500, mismatched: 5)
        flaky.loseNextCountsAnswer.store(true, ordering: .releasing)
        member.fleet.poll()
        // The next writes land in later seconds; the lost answer's bucket is sent again, never counted twice.
        let first = try shared.currentSecond()
        try Self.waitUntil(seconds: 3) { try shared.currentSecond() > first }
        member.record(300, mismatched: 1)
        member.fleet.poll()
        member.fleet.poll()
        let buckets = try shared.buckets(since: 0)
        #expect(buckets.count == 2)
        #expect(buckets.reduce(0) { $0 + $1.compared } == 800)
        #expect(buckets.reduce(0) { $0 + $1.mismatched } == 6)
    }

    @Test(.enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
    func instancesRacingToOpenAndCloseLeaveOneChangeRowPerStateChange() async throws {
        let location = try PostgresLedgerTests.freshLedger()
        let reader = try PostgresLedgerBackend(location: location, instance: "reader")
        let local = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .seconds(120))
        let members = try (0..<4).map {
            try FleetMember(
                try PostgresLedgerBackend(location: location, instance: "race-\($0)"), "race-\($0)", gate: local,
                breaker: .init(openSeconds: 1, halfOpenProbes: 100))
        }
        // Every instance sees the same over-budget evidence, then the same clean probes, and all poll at once.
        await withTaskGroup(of: Void.self) { group in
            for member in members {
                group.addTask {
                    member.record(200, mismatched: 40)
                    // Generous: under a loaded machine the ledger's one-second clock and the polls take their time.
                    let deadline = ContinuousClock.now + .seconds(40)
                    var probed = false
                    while ContinuousClock.now < deadline {
                        member.fleet.poll()
                        if member.breaker.state == .halfOpen && !probed {
                            member.record(100, mismatched: 0)
                            probed = true
                        }
                        if probed && member.breaker.state == .closed { break }
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
        }
        let changes = try reader.stateChanges(FleetBreaker.stateRow)
        let states = changes.compactMap { FleetBreakerState.decode($0.value)?.state }
        #expect(states == [.closed, .open, .halfOpen, .closed], "one row per change: \(states)")
        #expect(changes.map(\.version) == [1, 2, 3, 4])
        #expect(members.allSatisfy { $0.breaker.state == .closed })
    }

    @Test(.enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
    func aChangeAnnouncedByThePostgresLedgerIsAppliedLongBeforeTheNextPoll() async throws {
        let location = try PostgresLedgerTests.freshLedger()
        let local = GateConfiguration(minConsistency: 0.99, minSamples: 100, window: .seconds(120))
        let tripping = try FleetMember(
            try PostgresLedgerBackend(location: location, instance: "a"), "a", gate: local,
            breaker: .init(openSeconds: 600))
        // This instance polls every 120 s: only the announcement can bring it the change well before that (the
        // bound is loose: a loaded machine takes a second or two to deliver and apply it).
        let breaker = try CircuitBreaker(gate: local, configuration: .init(openSeconds: 600), logger: gateTestLogger)
        let listener = try FleetBreaker(
            backend: try PostgresLedgerBackend(location: location, instance: "b"), instance: "b",
            gate: try ConsistencyGate(configuration: local, breaker: breaker),
            configuration: .init(pollInterval: .seconds(120), evaluationInterval: .seconds(120)))
        let running = Task { await listener.run() }
        defer { running.cancel() }
        // Its thread listens before its first poll: once that poll is done, announcements reach it.
        let started = ContinuousClock.now
        while listener.lastState == nil && ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(breaker.state == .closed)
        tripping.record(200, mismatched: 60)
        tripping.fleet.poll()
        let opened = ContinuousClock.now
        while breaker.state != .open && ContinuousClock.now - opened < .seconds(20) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(breaker.state == .open)
        #expect(ContinuousClock.now - opened < .seconds(20), "applied through the announcement, not a poll")
    }

    struct Timeout: Error, CustomStringConvertible { var description: String }

    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw Timeout(description: "condition not met within \(seconds) s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
