import Foundation
import TandemProto
import TandemTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19: `kill -9` at random moments of a replay, and two runs on one store.
@Suite("Killed and concurrent runs", .serialized)
struct KilledRunTests {
    @Test func aReplayKilledAtTenRandomMomentsLeavesStoresThatVerifyAndALedgerThatRenders() throws {
        let directory = try CLITest.temporaryDirectory("killed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = directory.appendingPathComponent("traffic.jsonl")
        let generated = try Binaries.run(
            "tandem", ["generate-traffic", plan, "--operations", "150000", "--seed", "7", "--out", traffic.path])
        try #require(generated.status == 0, "\(generated.stderr)")
        var generator = SystemRandomNumberGenerator()
        for round in 0..<10 {
            let run = directory.appendingPathComponent("run\(round)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let primary = run.appendingPathComponent("primary.sqlite").path
            let shadow = run.appendingPathComponent("shadow.sqlite").path
            let ledger = run.appendingPathComponent("ledger.sqlite").path
            let process = Process()
            process.executableURL = try Binaries.url("tandem")
            process.arguments = [
                "replay", plan, "--traffic", traffic.path, "--primary", primary, "--shadow", shadow, "--ledger",
                ledger, "--quiet",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // A few moments into the run: once the stores are open, the ledger is created with its first checkpoint in one
            // transaction, then checkpointed every second and at every breaker transition.
            usleep(UInt32.random(in: 400_000...3_000_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let rendered = run.appendingPathComponent("r.json")
            let report = try Binaries.run("tandem", ["report", ledger, "--out", rendered.path])
            // `report` exits with the run's verdict (0, 1 or 4: a killed run is often still inconclusive); 3 would
            // mean the ledger could not be read.
            #expect([0, 1, 4].contains(report.status), "round \(round): the ledger does not render: \(report.stderr)")
            #expect(try CLITest.report(rendered)["totals"] != nil, "round \(round)")
            let verify = try Binaries.run(
                "tandem",
                [
                    "verify", plan, "--primary", primary, "--shadow", shadow, "--ledger",
                    run.appendingPathComponent("verify.sqlite").path, "--report",
                    run.appendingPathComponent("verify.json").path, "--quiet",
                ])
            // Clean traffic: 0 passed, or 4 when the kill came before min_samples keys were written; never a mismatch.
            #expect(verify.status == 0 || verify.status == 4, "round \(round): \(verify.stderr)")
            let totals = try CLITest.report(run.appendingPathComponent("verify.json"))["totals"]
            #expect(totals?["mismatched"] == .number("0"), "round \(round)")
        }
    }

    @Test func aSecondReplayOnTheSameStoresIsRefusedAndOneFileAsBothStoresIsAUsageError() throws {
        let directory = try CLITest.temporaryDirectory("concurrent")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path
        let primary = directory.appendingPathComponent("p.sqlite").path
        let shadow = directory.appendingPathComponent("s.sqlite").path
        let same = try Binaries.run(
            "tandem", ["replay", plan, "--traffic", traffic, "--primary", primary, "--shadow", "./p.sqlite"],
            in: directory)
        #expect(same.status == 2, "\(same.stderr)")
        #expect(same.stderr.contains("same file"))

        // A long-running first replay, fed by a pipe that stays open.
        let first = Process()
        first.executableURL = try Binaries.url("tandem")
        first.arguments = ["replay", plan, "--traffic", "-", "--primary", primary, "--shadow", shadow, "--quiet"]
        let input = Pipe()
        first.standardInput = input
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer {
            try? input.fileHandleForWriting.close()
            first.waitUntilExit()
        }
        // Wait until it holds the stores (its ledger appears after the stores are open).
        let ledger = directory.appendingPathComponent("ledger.sqlite").path
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: ledger) { usleep(25_000) }
        let second = try Binaries.run(
            "tandem",
            [
                "replay", plan, "--traffic", traffic, "--primary", "./p.sqlite", "--shadow", shadow, "--ledger",
                "other.sqlite",
            ], in: directory)
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.contains("another Tandem writer holds this store"))
        #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        // Verify runs beside it.
        let verify = try Binaries.run(
            "tandem", ["verify", plan, "--primary", primary, "--shadow", shadow, "--ledger", "v.sqlite", "--quiet"],
            in: directory)
        #expect(verify.status == 4, "\(verify.stderr)")
    }
}

@Suite("Store faults in a replay", .serialized)
struct ReplayStoreFaultTests {
    @Test func aShadowThatCannotBeWrittenIsAStoreErrorAndItsCountMatchesTheOutbox() throws {
        let directory = try CLITest.temporaryDirectory("shadow-full")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let primary = directory.appendingPathComponent("p.sqlite")
        let shadow = directory.appendingPathComponent("s.sqlite")
        // The documented table with a trigger that fails every insert, as a full disk fails every write.
        try CLITest.sqlite(
            shadow,
            """
            CREATE TABLE tandem_records(key TEXT PRIMARY KEY, payload BLOB NOT NULL, seq INTEGER NOT NULL,
              written_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TRIGGER full BEFORE INSERT ON tandem_records BEGIN SELECT RAISE(ABORT, 'disk full'); END;
            """)
        let result = try Binaries.run(
            "tandem",
            [
                "replay", plan, "--traffic", CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path,
                "--primary", primary.path, "--shadow", shadow.path, "--quiet",
            ])
        #expect(result.status == 3, "\(result.stderr)")
        let pending = try CLITest.sqlite(primary, "SELECT count(*) FROM tandem_outbox")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(pending) ?? 0 > 0)
        #expect(result.stderr.contains("tandem: \(pending) shadow writes failed"), "\(result.stderr)")
    }
}
