import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// `replay`, `verify` and `diff` on PostgreSQL tables named by URL (DESIGN section 10), against the server
/// `TANDEM_PG_URL` names (`bash .ci/run` starts one), and a server of the test's own for a restart mid-replay.
@Suite(
    "PostgreSQL stores from the command line",
    .enabled(
        if: ProcessInfo.processInfo.environment["TANDEM_PG_URL"] != nil,
        Comment(
            rawValue: "TANDEM_PG_URL is not set, so the PostgreSQL tests are skipped: run `bash .ci/run`, or "
                + "set it to a server of yours (postgres://USER@HOST:PORT/DB)")))
struct PostgresCommandTests {
    static let server = ProcessInfo.processInfo.environment["TANDEM_PG_URL"] ?? ""

    /// The server URL naming `table` (the server URL's own parameters kept).
    static func url(_ base: String, table: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "table=\(table)"
    }

    static func freshStem() -> String { "c" + UUID().uuidString.prefix(8).lowercased() }

    /// Runs psql on the server's database (`quiet`: its errors are not printed, only thrown).
    @discardableResult
    static func psql(_ base: String, _ sql: String, quiet: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let connection = base.components(separatedBy: "?").first ?? base
        process.arguments = ["psql", "-At", "-v", "ON_ERROR_STOP=1", connection, "-c", sql]
        let out = Pipe()
        process.standardOutput = out
        if quiet { process.standardError = FileHandle.nullDevice }
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Oracle.Failure(description: "psql failed on \(sql)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `tandem verify` on two tables, its JSON report in `directory`; returns the run and the report's totals.
    static func verify(_ plan: String, primary: String, shadow: String, in directory: URL) throws
        -> (run: Binaries.Result, totals: JSONValue?)
    {
        let report = directory.appendingPathComponent("verify.json")
        try? FileManager.default.removeItem(at: report)
        let run = try Binaries.run(
            "tandem",
            ["verify", plan, "--primary", primary, "--shadow", shadow, "--report", report.path, "--quiet"],
            in: directory)
        let totals = FileManager.default.fileExists(atPath: report.path) ? try CLITest.report(report)["totals"] : nil
        return (run, totals)
    }

    @Test
    func replayVerifyAndDiffWorkOnTablesNamedByURL() throws {
        let directory = try CLITest.temporaryDirectory("pg")
        let stem = Self.freshStem()
        let primary = Self.url(Self.server, table: stem + "_v2")
        let shadow = Self.url(Self.server, table: stem + "_v1")
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path
        let replay = try Binaries.run(
            "tandem", ["replay", plan, "--traffic", traffic, "--primary", primary, "--shadow", shadow, "--quiet"],
            in: directory)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("ledger.sqlite").path))

        let verify = try Self.verify(plan, primary: primary, shadow: shadow, in: directory)
        #expect(verify.run.status == 0, "\(verify.run.stderr)")
        #expect((verify.totals?["compared"]?.int64Value ?? 0) > 1_000)
        #expect(verify.totals?["mismatched"]?.int64Value == 0)

        // A legacy row changed behind Tandem's back is a mismatch verify reports and diff shows.
        let key = try Self.psql(Self.server, "SELECT min(key) FROM \(stem)_v1")
        try Self.psql(Self.server, "UPDATE \(stem)_v1 SET payload = payload || '\\x08'::bytea WHERE key = '\(key)'")
        let failing = try Self.verify(plan, primary: primary, shadow: shadow, in: directory)
        #expect(failing.run.status == 1, "\(failing.run.stderr)")
        #expect(failing.totals?["mismatched"]?.int64Value == 1)
        let diff = try Binaries.run(
            "tandem", ["diff", plan, "--primary", primary, "--shadow", shadow, "--key", key], in: directory)
        #expect(diff.status == 1, "\(diff.stderr)")
        #expect(diff.stdout.contains(key))
    }

    @Test
    func aFleetLedgerOnTheServerRendersTheRunsReportAndNamesWhatIsMissing() throws {
        let directory = try CLITest.temporaryDirectory("pg-ledger")
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = CLITest.examples.appendingPathComponent("traffic/user-profile-buggy-legacy-writer.jsonl").path
        let ledger = Self.url(Self.server, table: Self.freshStem())
        let runReport = directory.appendingPathComponent("run.json")
        let replay = try Binaries.run(
            "tandem",
            ["replay", plan, "--traffic", traffic, "--ledger", ledger, "--report", runReport.path, "--quiet"],
            in: directory)
        #expect(replay.status == 1, "the planted bug fails the run: \(replay.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("ledger.sqlite").path))

        // Every format renders from the server's ledger; the JSON is the run's own report.
        let rebuilt = directory.appendingPathComponent("rebuilt.json")
        let report = try Binaries.run("tandem", ["report", ledger, "--out", rebuilt.path], in: directory)
        #expect(report.status == 1, "\(report.stderr)")
        #expect(try CLITest.report(rebuilt) == CLITest.report(runReport))
        let html = try Binaries.run(
            "tandem", ["report", ledger, "--out", directory.appendingPathComponent("r.html").path], in: directory)
        #expect(html.status == 1, "\(html.stderr)")

        let unknown = try Binaries.run(
            "tandem", ["report", ledger, "--instance", "nobody:1", "--out", rebuilt.path], in: directory)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("no checkpoint of instance nobody:1"), "\(unknown.stderr)")
        let empty = try Binaries.run(
            "tandem", ["report", Self.url(Self.server, table: Self.freshStem()), "--out", rebuilt.path],
            in: directory)
        #expect(empty.status == 3)
        #expect(empty.stderr.contains("holds no checkpoint"), "\(empty.stderr)")
    }

    @Test
    func storesThatCannotWorkTogetherAreUsageErrors() throws {
        let directory = try CLITest.temporaryDirectory("pg-usage")
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let traffic = CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path
        let table = Self.url(Self.server, table: Self.freshStem())
        let same = try Binaries.run(
            "tandem", ["verify", plan, "--primary", table, "--shadow", table], in: directory)
        #expect(same.status == 2)
        #expect(same.stderr.contains("must be different tables"))

        let database = "tandem_cli_" + Self.freshStem()
        try Self.psql(Self.server, "CREATE DATABASE \(database)")
        let otherDatabase = Self.server.replacingOccurrences(of: "/postgres?", with: "/\(database)?")
        #expect(otherDatabase != Self.server)
        let atomic = try Binaries.run(
            "tandem",
            [
                "replay", plan, "--traffic", traffic, "--mode", "atomic", "--primary", table,
                "--shadow", Self.url(otherDatabase, table: "legacy"),
            ], in: directory)
        #expect(atomic.status == 2)
        #expect(atomic.stderr.contains("atomic mode needs both tables in one database"))

        let mixed = try Binaries.run(
            "tandem", ["replay", plan, "--traffic", traffic, "--primary", table, "--shadow", "shadow.sqlite"],
            in: directory)
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("both stores must be of one kind"))

        let missingShadow = try Binaries.run(
            "tandem", ["replay", plan, "--traffic", traffic, "--primary", table], in: directory)
        #expect(missingShadow.status == 2)
        #expect(missingShadow.stderr.contains("--shadow must name the other"))
    }
}
