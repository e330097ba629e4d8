import Foundation
import Tandem
import TandemPostgres
import TandemTesting
import Testing

/// What every ``LedgerBackend`` must do (DESIGN section 10), run against an SQLite file, the in-memory reference and
/// (when a server is set) a PostgreSQL ledger.
@Suite("Ledger backend contract")
struct LedgerBackendContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, memory, postgres
        var testDescription: String { rawValue }

        static var allCases: [Kind] { [.sqlite, .memory] + (PostgresTestServer.url == nil ? [] : [.postgres]) }
    }

    struct Fixture {
        let backend: any LedgerBackend
        let directory: TemporaryDirectory?

        init(_ kind: Kind) throws {
            switch kind {
            case .sqlite:
                let directory = try TemporaryDirectory()
                backend = try SQLiteLedgerBackend(path: directory.file("ledger.sqlite"))
                self.directory = directory
            case .memory:
                backend = InMemoryLedgerBackend()
                directory = nil
            case .postgres:
                // A ledger of its own in the shared test database.
                let name = "l" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
                backend = try PostgresLedgerBackend(
                    location: try PostgresTestServer.location().naming(table: name), instance: "test:1")
                directory = nil
            }
        }
    }

    static func transition(_ from: BreakerState, _ to: BreakerState, at seconds: Double) -> Report.Transition {
        Report.Transition(
            at: Date(timeIntervalSinceReferenceDate: seconds), from: from, to: to, mismatchRate: 0.5,
            samples: 100)
    }

    @Test(arguments: Kind.allCases)
    func aCheckpointReadsBackAsTheReportThatWasWritten(kind: Kind) throws {
        let fixture = try Fixture(kind)
        #expect(throws: LedgerError.self) { try fixture.backend.loadReport() }
        let report = LedgerFixture.report()
        try fixture.backend.writeCheckpoint(report, pending: [])
        #expect(try fixture.backend.loadReport() == report)
    }

    @Test(arguments: Kind.allCases)
    func transitionsWrittenAfterTheLastCheckpointShowAndAnOpeningFailsTheReport(kind: Kind) throws {
        let fixture = try Fixture(kind)
        var report = LedgerFixture.report()
        report.transitions = []
        report.breakerState = .closed
        try fixture.backend.writeCheckpoint(report, pending: [])
        let opened = Self.transition(.closed, .open, at: 800_000_000)
        try fixture.backend.writeTransitions([LedgerTransition(seq: 1, transition: opened)])
        let loaded = try fixture.backend.loadReport()
        #expect(loaded.transitions == [opened])
        #expect(loaded.breakerState == .open)
        #expect(loaded.gate.passed == false)
        // The next checkpoint takes the transition in at the same place.
        report.transitions = [opened]
        report.breakerState = .open
        try fixture.backend.writeCheckpoint(report, pending: [])
        #expect(try fixture.backend.loadReport().transitions == [opened])
    }

    @Test(arguments: Kind.allCases)
    func bucketsAreSetByAssignmentSoARetryNeverCountsTwice(kind: Kind) throws {
        let fixture = try Fixture(kind)
        let a = LedgerBucket(instance: "a:1", second: 100, compared: 10, mismatched: 1, breakerVersion: 0)
        let b = LedgerBucket(instance: "b:2", second: 100, compared: 5, mismatched: 0, breakerVersion: 0)
        let later = LedgerBucket(instance: "a:1", second: 101, compared: 7, mismatched: 2, breakerVersion: 1)
        try fixture.backend.recordCounts([a, b])
        try fixture.backend.recordCounts([a])
        try fixture.backend.recordCounts([later])
        var grown = later
        grown.compared = 9
        try fixture.backend.recordCounts([grown])
        let buckets = try fixture.backend.buckets(since: 100)
        #expect(buckets == [a, b, grown])
        #expect(buckets.reduce(0) { $0 + $1.compared } == 24)
        #expect(try fixture.backend.buckets(since: 101) == [grown])
    }

    @Test(arguments: Kind.allCases)
    func windowCountsSumEachInstanceOverAVersionAndTheNewestSeconds(kind: Kind) throws {
        let fixture = try Fixture(kind)
        func bucket(_ instance: String, _ second: Int64, _ compared: Int, _ mismatched: Int, _ version: Int64)
            -> LedgerBucket
        {
            LedgerBucket(
                instance: instance, second: second, compared: compared, mismatched: mismatched, breakerVersion: version)
        }
        try fixture.backend.recordCounts([
            bucket("a", 100, 10, 1, 1), bucket("b", 100, 5, 0, 1), bucket("a", 101, 7, 2, 1), bucket("b", 101, 3, 1, 2),
            bucket("a", 102, 4, 0, 2),
        ])
        func counts(_ since: Int64, _ version: Int64?, _ newest: Int?) throws -> [String: [Int]] {
            try fixture.backend.windowCounts(since: since, version: version, newest: newest).mapValues {
                [$0.compared, $0.mismatched]
            }
        }
        #expect(try counts(0, nil, nil) == ["a": [21, 3], "b": [8, 1]])
        #expect(try counts(0, 1, nil) == ["a": [17, 3], "b": [5, 0]])
        #expect(try counts(101, nil, nil) == ["a": [11, 2], "b": [3, 1]])
        // Newest whole seconds until they hold N: a second counts when the newer ones hold fewer than N.
        #expect(try counts(0, 1, 6) == ["a": [7, 2]])
        #expect(try counts(0, nil, 8) == ["a": [11, 2], "b": [3, 1]])
        #expect(try counts(0, nil, 1_000) == ["a": [21, 3], "b": [8, 1]])
        #expect(try counts(0, 9, nil).isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func stateRowsChangeOnlyByCompareAndSetAndALoserAdoptsTheWinnersRow(kind: Kind) throws {
        let fixture = try Fixture(kind)
        #expect(try fixture.backend.state("breaker") == nil)
        let first = try fixture.backend.compareAndSet("breaker", expected: nil, value: Array("closed".utf8))
        #expect(first.won)
        #expect(first.row.version == 1)
        // A second creator loses and is handed the row that won.
        let racer = try fixture.backend.compareAndSet("breaker", expected: nil, value: Array("open".utf8))
        #expect(!racer.won)
        #expect(racer.row.value == Array("closed".utf8))
        let opened = try fixture.backend.compareAndSet("breaker", expected: 1, value: Array("open".utf8))
        #expect(opened.won)
        #expect(opened.row.version == 2)
        // Two instances that both read version 1: only the first one's change lands.
        let stale = try fixture.backend.compareAndSet("breaker", expected: 1, value: Array("forced_open".utf8))
        #expect(!stale.won)
        #expect(stale.row == opened.row)
        #expect(try fixture.backend.state("breaker") == opened.row)
    }

    @Test(arguments: Kind.allCases)
    func aLedgerRecordsItsCountsPerSecondAndTheBreakersStateRow(kind: Kind) throws {
        let fixture = try Fixture(kind)
        let ledger = Ledger(backend: fixture.backend, instance: "test:1")
        var report = LedgerFixture.report(compared: 500)
        report.breakerState = .closed
        report.transitions = []
        try ledger.checkpoint(report: report)
        report.totals.compared = 800
        report.totals.mismatched = 5
        try ledger.checkpoint(report: report)
        let buckets = try fixture.backend.buckets(since: 0)
        #expect(buckets.allSatisfy { $0.instance == "test:1" })
        #expect(buckets.reduce(0) { $0 + $1.compared } == 800)
        #expect(buckets.reduce(0) { $0 + $1.mismatched } == 5)
        #expect(try fixture.backend.state(Ledger.breakerStateRow)?.value == Array("closed".utf8))
        report.breakerState = .open
        report.transitions = [Self.transition(.closed, .open, at: 800_000_000)]
        try ledger.checkpoint(report: report)
        let row = try #require(try fixture.backend.state(Ledger.breakerStateRow))
        #expect(row.value == Array("open".utf8))
        #expect(row.version == 2)
        #expect(try ledger.loadReport() == report)
    }

    @Test(arguments: Kind.allCases)
    func twoRunsSharingALedgerEachSetTheBreakersRowAfterLosingARace(kind: Kind) throws {
        let fixture = try Fixture(kind)
        let first = Ledger(backend: fixture.backend, instance: "one:1")
        let second = Ledger(backend: fixture.backend, instance: "two:2")
        var report = LedgerFixture.report(compared: 10)
        report.transitions = []
        report.breakerState = .closed
        try first.checkpoint(report: report)
        // The second run has not seen the row: its first change loses, its next one lands over the winner's row.
        var opened = report
        opened.breakerState = .open
        opened.transitions = [Self.transition(.closed, .open, at: 800_000_000)]
        try second.checkpoint(report: opened)
        #expect(try fixture.backend.state(Ledger.breakerStateRow)?.value == Array("closed".utf8))
        opened.totals.compared += 1
        try second.checkpoint(report: opened)
        let row = try #require(try fixture.backend.state(Ledger.breakerStateRow))
        #expect(row.value == Array("open".utf8))
        #expect(row.version == 2)
    }
}
