import Foundation
import Tandem
import TandemTesting
import Testing

/// Two services linking the facade and sharing a fleet ledger: one gate and one breaker for both.
@Suite("TandemMigration in a fleet")
struct TandemMigrationFleetTests {
    @Test func aDivergenceOnOneInstanceHaltsTheCanaryOnBoth() async throws {
        let ledger = InMemoryLedgerBackend()
        func configuration(_ name: String) -> TandemMigrationConfiguration {
            .init(
                stage: .live, fleetLedger: ledger, instance: name,
                fleet: .init(pollInterval: .milliseconds(20), evaluationInterval: .milliseconds(20)))
        }
        let buggy = try TandemMigrationTests.Fixture(configuration("buggy"))
        let clean = try TandemMigrationTests.Fixture(configuration("clean"))
        // 600 reads each: neither instance reaches the plan's min_samples (1,000) alone; the fleet's 1,200 do.
        for i in 0..<600 {
            let key = "u\(i)"
            if i % 10 == 0 {
                try await buggy.migration.write(
                    TandemMigrationTests.profile(key, name: "Linus"),
                    legacy: TandemMigrationTests.legacy(key, name: "Linux"))
            } else {
                try await buggy.migration.write(TandemMigrationTests.profile(key, name: key))
            }
            try await clean.migration.write(TandemMigrationTests.profile(key, name: key))
        }
        let runs = [buggy.migration, clean.migration].map { migration in Task { try await migration.run() } }
        for i in 0..<600 {
            _ = try buggy.migration.read(key: "u\(i)")
            _ = try clean.migration.read(key: "u\(i)")
        }
        // Generous: alone this takes a quarter of a second, but in the whole suite on two cores the synchronous tests
        // beside it hold the cooperative pool that `run()`'s polls and evaluations wait for (the test took 120-135 s
        // in CI, and once the breakers were still closed 10 s after the last read). The loop ends once both are open.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline
            && !(buggy.migration.breakerState == .open && clean.migration.breakerState == .open)
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(buggy.migration.consistency.totals.compared < 1_000)
        #expect(clean.migration.consistency.totals.mismatched == 0)
        #expect(clean.migration.breakerState == .open, "the clean instance halts with the fleet")
        #expect(buggy.migration.breakerState == .open)
        #expect(clean.migration.route(key: "u1") == .legacy)
        #expect(try clean.migration.read(key: "u1")?.store == .shadow)
        let state = try #require(clean.migration.fleetBreaker?.lastState)
        #expect(state.state.state == .open)
        #expect(state.state.reason == "fleet window over budget")
        for fixture in [buggy, clean] { fixture.migration.shutdown() }
        for run in runs { try await run.value }
    }

    @Test func withoutAFleetLedgerTheInstanceJudgesAlone() throws {
        let alone = try TandemMigrationTests.Fixture(.init(stage: .live))
        #expect(alone.migration.fleetBreaker == nil)
    }
}
