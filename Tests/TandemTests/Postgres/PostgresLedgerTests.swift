import Foundation
import Synchronization
import Tandem
import Testing

@testable import TandemPostgres

/// What a PostgreSQL ledger does beyond the ledger contract suite: many instances sharing it (DESIGN section 10,
/// "Fleet ledger"), races on its state rows, the server's clock, refusals.
@Suite(
    "PostgreSQL ledger", .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresLedgerTests {
    /// A ledger no other test uses, in the shared test database.
    static func freshLedger() throws -> PostgresLocation {
        try PostgresTestServer.location().naming(
            table: "l" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())
    }

    /// A ledger in a database of its own (created for the test), for tests that change what a database holds.
    static func ledgerInFreshDatabase(_ prefix: String) throws -> PostgresLocation {
        let database = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresRecordBackendTests.sql("CREATE DATABASE \(database)")
        var location = try freshLedger()
        location.database = database
        return location
    }

    @Test
    func eachInstanceKeepsItsOwnCheckpointAndAReaderGetsTheNewestOrTheOneItNames() throws {
        let location = try Self.freshLedger()
        let reader = try PostgresLedgerBackend(location: location, instance: "reader")
        let missing = ledgerError { () throws(LedgerError) in try reader.loadReport() }
        #expect(missing?.code == .noCheckpoint)
        #expect(missing?.path == location.description)

        var first = LedgerFixture.report(compared: 500)
        first.job = Report.Job(kind: .backfill, direction: .v1ToV2, dryRun: true)
        first.sampling = Report.Sampling(rate: 0.25, budgetOffered: 9, budgetSkipped: 2)
        first.settings.append(.window(.seconds(30)))
        first.settings.append(.writeMode(.outbox))
        let a = try PostgresLedgerBackend(location: location, instance: "web-1:11", initial: first)
        var second = LedgerFixture.report(compared: 900)
        second.plan = "second"
        let b = try PostgresLedgerBackend(location: location, instance: "web-2:22")
        try b.writeCheckpoint(second, pending: [])

        // Each instance reads back its own, exactly; a reader that never wrote gets the newest.
        #expect(try a.loadReport() == first)
        #expect(try b.loadReport() == second)
        #expect(try reader.loadReport().plan == "second")
        #expect(try reader.loadReport(instance: "web-1:11") == first)
        let server = try #require(PostgresTestServer.url)
        let url = server + (server.contains("?") ? "&" : "?") + "table=\(location.table ?? "")"
        #expect(try Ledger.loadReport(at: url, instance: "web-2:22") == second)
        #expect(try Ledger.loadReport(at: url).plan == "second")
        #expect(try reader.checkpointedInstances().map(\.instance) == ["web-1:11", "web-2:22"])
        let unknown = ledgerError { () throws(LedgerError) in try reader.loadReport(instance: "web-9:99") }
        #expect(unknown?.code == .noCheckpoint)
        #expect(unknown?.message.contains("web-9:99") == true)

        // A transition written after an instance's checkpoint fails that instance's report only.
        let opened = Report.Transition(
            at: Date(timeIntervalSinceReferenceDate: 800_000_000), from: .metricsOnly, to: .open, mismatchRate: 0.5,
            samples: 50)
        try a.writeTransitions([LedgerTransition(seq: 2, transition: opened)])
        let failed = try reader.loadReport(instance: "web-1:11")
        #expect(failed.breakerState == .open)
        #expect(failed.gate.passed == false)
        #expect(try b.loadReport().gate.passed == second.gate.passed)
    }

    @Test
    func racingInstancesLeaveExactlyOneChangeRowPerStateChange() throws {
        let location = try Self.freshLedger()
        let backends = try (0..<6).map { try PostgresLedgerBackend(location: location, instance: "racer-\($0)") }
        let wins = Mutex<[Int64: String]>([:])
        let failures = Mutex<[String]>([])
        // Every racer flips the row between open and closed from the version it last read, 25 times over.
        DispatchQueue.concurrentPerform(iterations: backends.count) { index in
            let backend = backends[index]
            do {
                for _ in 0..<25 {
                    let current = try backend.state(Ledger.breakerStateRow)
                    let next = current?.value == Array("open".utf8) ? "closed" : "open"
                    let outcome = try backend.compareAndSet(
                        Ledger.breakerStateRow, expected: current?.version, value: Array(next.utf8))
                    if outcome.won {
                        wins.withLock { $0[outcome.row.version] = next }
                    } else {
                        // The loser is handed a row at least as new as the one it read.
                        #expect(outcome.row.version > (current?.version ?? 0))
                    }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let changes = try backends[0].stateChanges(Ledger.breakerStateRow)
        let won = wins.withLock { $0 }
        #expect(changes.map(\.version) == Array(1...Int64(changes.count)), "one row per version, none missing")
        #expect(changes.count == won.count, "every change row is a win some racer saw, and no win left two")
        for change in changes { #expect(won[change.version].map { Array($0.utf8) } == change.value) }
        let final = try #require(try backends[0].state(Ledger.breakerStateRow))
        #expect(final.version == Int64(changes.count))
    }

    @Test
    func instancesCountInTheServersSecondsAndTheFleetsSumIsTheirs() throws {
        let location = try Self.freshLedger()
        let backend = try PostgresLedgerBackend(location: location, instance: "clock")
        let local = Int64(Date().timeIntervalSince1970)
        #expect(abs(try backend.currentSecond() - local) <= 2, "the test server runs on this machine's clock")

        let ledgers = try (0..<3).map { index in
            Ledger(backend: try PostgresLedgerBackend(location: location, instance: "i\(index)"), instance: "i\(index)")
        }
        var expected = (compared: 0, mismatched: 0)
        for (index, ledger) in ledgers.enumerated() {
            var report = LedgerFixture.report(compared: 100 * (index + 1))
            report.totals.mismatched = index
            report.transitions = []
            report.breakerState = .closed
            try ledger.checkpoint(report: report)
            // A checkpoint repeated with the same totals adds nothing.
            try ledger.checkpoint(report: report)
            expected.compared += 100 * (index + 1)
            expected.mismatched += index
        }
        let buckets = try backend.buckets(since: 0)
        #expect(Set(buckets.map(\.instance)) == ["i0", "i1", "i2"])
        #expect(buckets.reduce(0) { $0 + $1.compared } == expected.compared)
        #expect(buckets.reduce(0) { $0 + $1.mismatched } == expected.mismatched)
        #expect(buckets.allSatisfy { abs($0.second - local) <= 5 })
    }

    @Test
    func readersCreateNothingAndATableThatIsNotTheLedgersIsRefusedUntouched() throws {
        let location = try Self.ledgerInFreshDatabase("tandem_reader")
        let database = location.database
        let server = try #require(PostgresTestServer.url)
        let base = server.replacingOccurrences(of: "/postgres?", with: "/\(database)?")
        #expect(base != server)
        let url = base + "&table=\(location.table ?? "")"

        // A reader of a database without a ledger: an empty ledger, and nothing created.
        let missing = ledgerError { () throws(LedgerError) in try Ledger.loadReport(at: url) }
        #expect(missing?.code == .noCheckpoint)
        let reader = try Ledger.backend(at: url)
        #expect(try reader.state(FleetBreaker.stateRow) == nil)
        #expect(try reader.buckets(since: 0).isEmpty)
        let write = ledgerError { () throws(LedgerError) in
            try reader.recordCounts([
                LedgerBucket(instance: "r", second: 1, compared: 1, mismatched: 0, breakerVersion: 0)
            ])
        }
        #expect(write?.code == .readOnly)
        let status = try FleetStatus.read(backend: reader)
        #expect(status.breaker == nil)
        #expect(status.verdict.inconclusive)

        // A table of the ledger's name with other columns: refused, left as it was.
        try PostgresRecordBackendTests.sql("CREATE TABLE tandem_ledger_state (x int)", database: database)
        try PostgresRecordBackendTests.sql("INSERT INTO tandem_ledger_state VALUES (7)", database: database)
        let foreign = ledgerError { () throws(LedgerError) in try PostgresLedgerBackend(location: location) }
        #expect(foreign?.code == .notALedger)
        #expect(foreign?.message.contains("tandem_ledger_state") == true, "\(String(describing: foreign))")
        let session = try PostgresSession(location: location)
        let (tables, value) = try session.run { (client) throws(StoreError) -> (Int64, Int32) in
            guard
                let count = try client.query(
                    "SELECT count(*) FROM pg_class WHERE relname LIKE 'tandem_ledger%' AND relkind = 'r'"
                ).first,
                let row = try client.query("SELECT x FROM tandem_ledger_state").first
            else { return (-1, -1) }
            return (
                try PostgresTables.decode(count, as: Int64.self, location: location),
                try PostgresTables.decode(row, as: Int32.self, location: location)
            )
        }
        #expect(tables == 1, "no other ledger table was created")
        #expect(value == 7)
    }

    @Test
    func aLedgerFromANewerTandemAndAURLThatDoesNotParseAreRefusedNamingThem() throws {
        let location = try Self.ledgerInFreshDatabase("tandem_ledger")
        let database = location.database
        _ = try PostgresLedgerBackend(location: location, instance: "old")
        try PostgresRecordBackendTests.sql("UPDATE tandem_ledger_schema SET version = 99", database: database)
        let newer = ledgerError { () throws(LedgerError) in
            try PostgresLedgerBackend(location: location, instance: "old")
        }
        #expect(newer?.code == .unsupportedVersion)
        #expect(newer?.message.contains("version 99") == true)
        #expect(newer?.path == location.description)

        let bad = ledgerError { () throws(LedgerError) in try Ledger.open(at: "postgres://user@host:notaport/db") }
        #expect(bad?.code == .openFailed)
        #expect(bad?.description.contains("port") == true, "\(String(describing: bad))")
    }
}
