import Foundation
import TandemTestSupport
import Testing

/// `pg_ctl restart` under a running `tandem replay` (DESIGN section 10: a lost connection is retried with backoff and
/// no acknowledged write is lost), on a cluster of the test's own so that the shared server stays up.
@Suite(
    "PostgreSQL restarted mid-replay",
    .enabled(
        if: PostgresCluster.binaries != nil || ProcessInfo.processInfo.environment["TANDEM_CI"] == "1",
        "no PostgreSQL binaries (set TANDEM_PG_BIN or install postgresql) to start a cluster of the test's own"))
struct PostgresRestartTests {
    /// Every `key payload-hex` row of a table, in key order.
    static func rows(_ cluster: PostgresCluster, table: String) throws -> [String] {
        try PostgresCommandTests.psql(
            cluster.url, "SELECT key || ' ' || encode(payload, 'hex') FROM \(table) ORDER BY key"
        ).split(separator: "\n").map(String.init)
    }

    @Test
    func theReplayReportsTheOutageResumesAndVerifyIsClean() throws {
        let cluster = try PostgresCluster()
        defer { try? cluster.stop() }
        let directory = try CLITest.temporaryDirectory("pg-restart")
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path
        let primary = PostgresCommandTests.url(cluster.url, table: "restart_v2")
        let shadow = PostgresCommandTests.url(cluster.url, table: "restart_v1")

        let replay = try Binaries.start(
            "tandem",
            [
                "replay", plan, "--traffic", traffic, "--primary", primary, "--shadow", shadow, "--ledger",
                directory.appendingPathComponent("ledger.sqlite").path,
            ], in: directory)
        // Once the replay is well under way (a few hundred keys written of ~1,500), restart the server under it.
        var written = 0
        let started = Date()
        while replay.isRunning, written < 300, Date().timeIntervalSince(started) < 120 {
            usleep(50_000)
            let count = try? PostgresCommandTests.psql(
                cluster.url, "SELECT count(*) FROM tandem_keys WHERE table_name = 'restart_v2'", quiet: true)
            written = count.flatMap { Int($0) } ?? 0
        }
        let restartedMidRun = replay.isRunning
        try cluster.restart()
        let result = replay.wait()
        #expect(restartedMidRun, "the replay ended before the restart (\(written) keys written); it proves nothing")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("connection lost"), "the outage is not reported: \(result.stderr)")
        #expect(result.stderr.contains("connection restored"), "the recovery is not reported: \(result.stderr)")

        let verify = try PostgresCommandTests.verify(plan, primary: primary, shadow: shadow, in: directory)
        #expect(verify.run.status == 0, "\(verify.run.stderr)")
        #expect(verify.totals?["mismatched"]?.int64Value == 0)

        // Every write is there: the same replay into SQLite files leaves the same rows.
        let reference = try Binaries.run(
            "tandem",
            [
                "replay", plan, "--traffic", traffic, "--primary", "p.sqlite", "--shadow", "s.sqlite", "--ledger",
                "reference-ledger.sqlite", "--quiet",
            ], in: directory)
        #expect(reference.status == 0, "\(reference.stderr)")
        for (table, file) in [("restart_v2", "p.sqlite"), ("restart_v1", "s.sqlite")] {
            let expected = try CLITest.sqlite(
                directory.appendingPathComponent(file),
                "SELECT key || ' ' || lower(hex(payload)) FROM tandem_records ORDER BY key"
            ).split(separator: "\n").map(String.init)
            let actual = try Self.rows(cluster, table: table)
            #expect(actual.count == expected.count, "\(table): \(actual.count) rows, SQLite \(expected.count)")
            #expect(actual == expected, "\(table) differs from the same replay into SQLite")
        }
    }
}
