import Foundation
import TandemProto
import TandemTestSupport
import Testing

@Suite("replay --rollout and tandem rollout")
struct RolloutCommandTests {
    static var plan: String { CLITest.migrations.appendingPathComponent("user-profile-rollout").path }

    static func traffic(_ name: String) -> String {
        CLITest.examples.appendingPathComponent("traffic/\(name).jsonl").path
    }

    static func replay(_ traffic: String, in directory: URL) throws -> (
        status: Int32, report: JSONValue, run: Binaries.Result
    ) {
        let report = directory.appendingPathComponent("report.json")
        let run = try Binaries.run(
            "tandem",
            [
                "replay", plan, "--traffic", traffic, "--rollout", "--primary",
                directory.appendingPathComponent("primary.sqlite").path, "--shadow",
                directory.appendingPathComponent("shadow.sqlite").path, "--report", report.path,
                "--report", directory.appendingPathComponent("report.xml").path, "--report",
                directory.appendingPathComponent("report.md").path, "--report",
                directory.appendingPathComponent("report.html").path,
            ])
        return (run.status, try JSONValue(parsing: Array(try Data(contentsOf: report))), run)
    }

    static func reasons(_ report: JSONValue) -> [String] {
        report["rollout"]?["steps"]?.arrayElements?.compactMap { $0["reason"]?.stringValue } ?? []
    }

    @Test func cleanTrafficWalksTheExampleToLiveOneHundredAndExitsZero() throws {
        let directory = try CLITest.temporaryDirectory("rollout-clean")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, report, run) = try Self.replay(Self.traffic("user-profile"), in: directory)
        #expect(status == 0, "\(run.stderr)")
        #expect(report["rollout"]?["stage"]?.stringValue == "live")
        #expect(report["rollout"]?["canary_percent"]?.int64Value == 100)
        #expect(report["rollout"]?["halted"]?.boolValue == false)
        #expect(Self.reasons(report) == ["start", "dwell", "confident", "confident", "confident"])
        #expect(run.stderr.contains("rollout: confident -> live 10%"))
        let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
        #expect(junit.contains("classname=\"tandem.rollout\""))
        #expect(!junit.contains("type=\"rollout\""))
        let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains(#"#### Rollout: live 100\%, done"#))
        #expect(markdown.contains(#"| live 10\% | `confident` |"#))
        let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<section id=\"rollout\">"))
        #expect(html.contains("class=\"rollout-label\""))
    }

    @Test func theDemosPersistentDivergenceOpensTheBreakerAtMostFiveTimes() throws {
        let directory = try CLITest.temporaryDirectory("rollout-demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try Binaries.run("tandem", ["demo", "--out", directory.path])
        // The demo shows a failing run and exits 0 itself: the walkthrough worked.
        #expect(demo.status == 0, "\(demo.stderr)")
        let report = try JSONValue(
            parsing: Array(try Data(contentsOf: directory.appendingPathComponent("report.json"))))
        let opens = report["breaker"]?["transitions"]?.arrayElements?.count { $0["to"]?.stringValue == "open" } ?? 0
        #expect(opens >= 2 && opens <= 5, "the breaker opened \(opens) times")
        #expect((report["breaker"]?["flaps"]?.int64Value ?? 0) >= 1)
    }

    @Test func aBuggyLegacyWriterHaltsTheRolloutAndExitsOne() throws {
        let directory = try CLITest.temporaryDirectory("rollout-buggy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, report, run) = try Self.replay(Self.traffic("user-profile-buggy-legacy-writer"), in: directory)
        #expect(status == 1, "\(run.stderr)")
        #expect(report["rollout"]?["stage"]?.stringValue == "shadow")
        #expect(report["rollout"]?["halted"]?.boolValue == true)
        #expect(Self.reasons(report).last == "breaker_open")
        let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
        #expect(junit.contains("type=\"rollout\""))

        // The operator's commands act on the ledger's rollout row and are recorded there.
        let ledger = directory.appendingPathComponent("ledger.sqlite").path
        let status1 = try Binaries.run("tandem", ["rollout", "status", Self.plan, "--ledger", ledger])
        #expect(status1.status == 0)
        #expect(status1.stdout.contains("shadow, halted"))
        let promote = try Binaries.run("tandem", ["rollout", "promote", Self.plan, "--ledger", ledger])
        #expect(promote.status == 2)
        #expect(promote.stderr.contains("halted by the breaker; resume it first"))
        let pause = try Binaries.run("tandem", ["rollout", "pause", Self.plan, "--ledger", ledger, "--format", "json"])
        #expect(pause.status == 0, "\(pause.stderr)")
        let paused = try JSONValue(parsing: Array(pause.stdout.utf8))
        #expect(paused["paused"]?.boolValue == true)
        #expect(paused["steps"]?.arrayElements?.last?["reason"]?.stringValue == "pause")
        let rebuilt = directory.appendingPathComponent("again.json")
        let again = try Binaries.run("tandem", ["report", ledger, "--out", rebuilt.path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("the breaker halted the rollout"))
        #expect(Self.reasons(try JSONValue(parsing: Array(try Data(contentsOf: rebuilt)))).last == "pause")
    }

    @Test func aPlanWithoutARolloutBlockOrALedgerWithoutARolloutIsRefused() throws {
        let directory = try CLITest.temporaryDirectory("rollout-refused")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = CLITest.migrations.appendingPathComponent("user-profile").path
        let replay = try Binaries.run(
            "tandem", ["replay", plain, "--traffic", Self.traffic("user-profile"), "--rollout", "--quiet"])
        #expect(replay.status == 2)
        #expect(replay.stderr.contains("--rollout needs a rollout: block"))
        let missing = try Binaries.run(
            "tandem",
            ["rollout", "status", Self.plan, "--ledger", directory.appendingPathComponent("none.sqlite").path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no such ledger file"))
    }

    @Test func theRolloutOutlivesARunButOnlyARolloutRunReportsIt() throws {
        let directory = try CLITest.temporaryDirectory("rollout-runs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, _, run) = try Self.replay(Self.traffic("user-profile-buggy-legacy-writer"), in: directory)
        #expect(first == 1, "\(run.stderr)")
        let ledger = directory.appendingPathComponent("ledger.sqlite").path
        // A plain replay into the same ledger starts a new run: no rollout in its report, and the row stays.
        let plain = directory.appendingPathComponent("plain.json")
        let replay = try Binaries.run(
            "tandem",
            [
                "replay", Self.plan, "--traffic", Self.traffic("user-profile"), "--ledger", ledger, "--report",
                plain.path, "--quiet",
            ])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(try JSONValue(parsing: Array(try Data(contentsOf: plain)))["rollout"] == nil)
        let status = try Binaries.run("tandem", ["rollout", "status", Self.plan, "--ledger", ledger])
        #expect(status.status == 0)
        #expect(status.stdout.contains("shadow, halted"))
    }
}
