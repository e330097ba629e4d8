import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// `tandem replay`, `verify` and `diff` end to end: the built binary on real plans and traffic.
@Suite("tandem replay and verify", .serialized)
struct ReplayCommandTests {
    /// A user-profile v2 record and a legacy v1 record for it, as traffic JSON.
    static func write(_ key: String, name: String, legacyName: String? = nil, ts: String = "2026-01-01T00:00:00Z")
        -> String
    {
        var line =
            #"{"op":"write","key":"\#(key)","v2_json":{"id":"\#(key)","profile":{"displayName":"\#(name)"},"createdAt":"2025-03-01T10:00:00.123Z","status":"SUSPENDED","emailAddress":"\#(key)@example.com","labels":["a","b"]}"#
        if let legacyName {
            line +=
                #","v1_json":{"id":"\#(key)","displayName":"\#(legacyName)","createdMs":"1740823200123","status":"DISABLED","email":"\#(key)@example.com","tags":["a","b"]}"#
        }
        return line + #","ts":"\#(ts)","cohort":"web"}"#
    }

    static func read(_ key: String) -> String { #"{"op":"read","key":"\#(key)","cohort":"web"}"# }

    @Test func cleanExampleTrafficPassesWithTheContractKeys() throws {
        let directory = try CLITest.temporaryDirectory("clean")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reportURL = directory.appendingPathComponent("report.json")
        let result = try Binaries.run(
            "tandem",
            [
                "replay", CLITest.migrations.appendingPathComponent("user-profile").path,
                "--traffic", CLITest.examples.appendingPathComponent("traffic/user-profile.jsonl").path,
                "--report", reportURL.path, "--quiet",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let report = try CLITest.report(reportURL)
        for key in [
            "tandem_report_version", "plan", "plan_fingerprint", "totals", "consistency", "consistency_interval",
            "gate", "breaker", "fields", "mismatches", "cohorts",
        ] {
            #expect(report[key] != nil, "missing \(key)")
        }
        for key in [
            "writes", "reads", "deletes", "compared", "matched", "mismatched", "in_flight", "shed", "bad_lines",
            "repaired", "unknown_fields",
        ] {
            #expect(report["totals"]?[key]?.int64Value != nil, "missing totals.\(key)")
        }
        for key in ["low", "high", "confidence"] { #expect(report["consistency_interval"]?[key] != nil) }
        for key in ["min_consistency", "min_samples", "passed", "confident", "reason"] {
            #expect(report["gate"]?[key] != nil)
        }
        #expect(report["gate"]?["passed"] == .bool(true))
        #expect(report["breaker"]?["state"] == .string("closed"))
        #expect(report["tandem_report_version"]?.int64Value == 1)
        #expect((report["totals"]?["compared"]?.int64Value ?? 0) >= 1000)
        #expect(report["cohorts"]?["web"]?["compared"]?.int64Value ?? 0 > 0)
    }

    @Test func buggyLegacyWriterFailsTheGateAndTripsTheBreaker() throws {
        let directory = try CLITest.temporaryDirectory("buggy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reportURL = directory.appendingPathComponent("r.json")
        let result = try Binaries.run(
            "tandem",
            [
                "replay", CLITest.migrations.appendingPathComponent("user-profile").path,
                "--traffic",
                CLITest.examples.appendingPathComponent("traffic/user-profile-buggy-legacy-writer.jsonl").path,
                "--report", reportURL.path, "--max-samples", "5",
            ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("FAILED"))
        let report = try CLITest.report(reportURL)
        #expect(report["gate"]?["passed"] == .bool(false))
        #expect(report["breaker"]?["transitions"]?[0]?["to"] == .string("open"))
        #expect(report["mismatches"]?.arrayElements?.count == 5)
        #expect((report["fields"]?.arrayElements?.count ?? 0) > 0)
        // The redacted email never appears in clear.
        let text = try String(contentsOf: reportURL, encoding: .utf8)
        #expect(!text.contains("@example.com"))
    }

    @Test func plantedDivergenceIsFoundAtItsKeyAndPath() throws {
        let directory = try CLITest.temporaryDirectory("planted")
        defer { try? FileManager.default.removeItem(at: directory) }
        let traffic = directory.appendingPathComponent("t.jsonl")
        try CLITest.write(
            [
                Self.write("k1", name: "Ada"), Self.read("k1"),
                Self.write("k2", name: "Grace", legacyName: "Grace H."), Self.read("k2"),
                Self.write("k3", name: "Linus", legacyName: "Linus"), Self.read("k3"),
                Self.read("missing-key"),
            ], to: traffic)
        let reportURL = directory.appendingPathComponent("r.json")
        let result = try Binaries.run(
            "tandem",
            [
                "replay", CLITest.migrations.appendingPathComponent("user-profile").path, "--traffic", traffic.path,
                "--report", reportURL.path, "--quiet",
            ])
        // Three comparisons are fewer than min_samples, and the breaker cannot open on so few: inconclusive.
        #expect(result.status == 4, "\(result.stderr)")
        let report = try CLITest.report(reportURL)
        #expect(report["totals"]?["compared"]?.int64Value == 3)
        #expect(report["totals"]?["mismatched"]?.int64Value == 1)
        #expect(report["mismatches"]?[0]?["key"] == .string("k2"))
        #expect(report["mismatches"]?[0]?["diffs"]?[0]?["path"] == .string("display_name"))
        #expect(report["mismatches"]?[0]?["diffs"]?[0]?["kind"] == .string("changed"))
        #expect(report["mismatches"]?[0]?["diffs"]?[0]?["v1"] == .string("Grace H."))
        #expect(report["mismatches"]?[0]?["diffs"]?[0]?["v2"] == .string("Grace"))
        #expect(report["fields"]?[0]?["path"] == .string("display_name"))
    }

    @Test func standardInputWorksAndBadLinesAreNamedAndCounted() throws {
        let directory = try CLITest.temporaryDirectory("stdin")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = [
            Self.write("k1", name: "Ada"),
            "this is not json",
            #"{"op":"write","key":"k9"}"#,
            #"{"op":"fly","key":"k1"}"#,
            #"{"op":"write","key":"k8","v2":"!!!notbase64"}"#,
            #"{"op":"write","key":"k7","v2":"/w=="}"#,
            Self.read("k1"),
        ]
        let reportURL = directory.appendingPathComponent("r.json")
        let result = try Binaries.run(
            "tandem",
            [
                "replay", CLITest.migrations.appendingPathComponent("user-profile").path, "--traffic", "-",
                "--report", reportURL.path, "--quiet",
            ], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("-:2: not valid JSON"))
        #expect(result.stderr.contains("-:3: key \"k9\": a write needs \"v2\" or \"v2_json\""))
        #expect(result.stderr.contains("-:4: key \"k1\": unknown op \"fly\""))
        #expect(result.stderr.contains("-:5:"))
        #expect(result.stderr.contains("-:6: key \"k7\": the v2 payload does not decode"))
        let report = try CLITest.report(reportURL)
        #expect(report["totals"]?["bad_lines"]?.int64Value == 5)
        #expect(report["totals"]?["writes"]?.int64Value == 1)
        #expect(report["totals"]?["compared"]?.int64Value == 1)
    }

    @Test func usageAndPlanErrorsExitTwo() throws {
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let unknownFlag = try Binaries.run("tandem", ["replay", plan, "--traffic", "x", "--bogus"])
        #expect(unknownFlag.status == 2)
        let missingTraffic = try Binaries.run("tandem", ["replay", plan])
        #expect(missingTraffic.status == 2)
        let badFormat = try Binaries.run("tandem", ["replay", plan, "--traffic", "x", "--report", "r.unknown"])
        #expect(badFormat.status == 2)
        #expect(badFormat.stderr.contains("r.unknown"))
        let directory = try CLITest.temporaryDirectory("badplan")
        defer { try? FileManager.default.removeItem(at: directory) }
        let badPlan = try CLITest.plan("user-profile", in: directory)
        try "name: x\nv1: { proto: v1.proto, message: acme.user.v1.Nope }\n".write(
            to: badPlan.appendingPathComponent("tandem.yaml"), atomically: true, encoding: .utf8)
        let result = try Binaries.run("tandem", ["replay", badPlan.path, "--traffic", "-"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("tandem.yaml"))
    }

    @Test func missingTrafficAndUnopenableStoresExitThree() throws {
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let missing = try Binaries.run("tandem", ["replay", plan, "--traffic", "/nonexistent/traffic.jsonl"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("/nonexistent/traffic.jsonl"))
        let store = try Binaries.run(
            "tandem", ["replay", plan, "--traffic", "-", "--primary", "/nonexistent/dir/p.sqlite"],
            stdin: Data())
        #expect(store.status == 3)
        #expect(store.stderr.contains("/nonexistent/dir/"))
        let verify = try Binaries.run(
            "tandem", ["verify", plan, "--primary", "/nonexistent/p", "--shadow", "/nonexistent/s"])
        #expect(verify.status == 3)
    }

    @Test func verifyFindsRecordsMissingOnEitherSide() throws {
        let directory = try CLITest.temporaryDirectory("verify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITest.plan("user-profile", in: directory, minSamples: 2)
        let traffic = directory.appendingPathComponent("t.jsonl")
        try CLITest.write((1...6).map { Self.write("k\($0)", name: "N\($0)") }, to: traffic)
        let primary = directory.appendingPathComponent("p.sqlite")
        let shadow = directory.appendingPathComponent("s.sqlite")
        let replay = try Binaries.run(
            "tandem",
            [
                "replay", plan.path, "--traffic", traffic.path, "--primary", primary.path,
                "--shadow", shadow.path, "--quiet",
            ])
        #expect(replay.status == 4, "\(replay.stderr)")  // no reads: nothing compared
        let clean = try Binaries.run(
            "tandem", ["verify", plan.path, "--primary", primary.path, "--shadow", shadow.path, "--quiet"])
        #expect(clean.status == 0, "\(clean.stderr)")
        try CLITest.sqlite(shadow, "DELETE FROM tandem_records WHERE key = 'k2';")
        try CLITest.sqlite(primary, "DELETE FROM tandem_records WHERE key = 'k5';")
        let reportURL = directory.appendingPathComponent("v.json")
        let result = try Binaries.run(
            "tandem",
            [
                "verify", plan.path, "--primary", primary.path, "--shadow", shadow.path,
                "--report", reportURL.path, "--quiet",
            ])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try CLITest.report(reportURL)
        let mismatches = report["mismatches"]?.arrayElements ?? []
        let byKey = Dictionary(
            uniqueKeysWithValues: mismatches.compactMap { m -> (String, String)? in
                guard let key = m["key"]?.stringValue, let kind = m["diffs"]?[0]?["kind"]?.stringValue else {
                    return nil
                }
                return (key, kind)
            })
        #expect(byKey == ["k2": "record_missing_in_shadow", "k5": "record_missing_in_primary"])
        #expect(report["totals"]?["compared"]?.int64Value == 6)
    }

    @Test func verifyRepairsAnInterruptedOutbox() throws {
        let directory = try CLITest.temporaryDirectory("outbox")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITest.plan("user-profile", in: directory, minSamples: 2)
        let primary = directory.appendingPathComponent("p.sqlite")
        let shadow = directory.appendingPathComponent("s.sqlite")
        let first = directory.appendingPathComponent("t1.jsonl")
        try CLITest.write([Self.write("k1", name: "A"), Self.write("k2", name: "B")], to: first)
        let seed = try Binaries.run(
            "tandem",
            [
                "replay", plan.path, "--traffic", first.path, "--primary", primary.path,
                "--shadow", shadow.path, "--quiet",
            ])
        #expect(seed.status == 4, "\(seed.stderr)")
        // The shadow refuses writes: the primary commits, the shadow rows wait in the outbox.
        try CLITest.sqlite(
            shadow, "CREATE TRIGGER refuse BEFORE UPDATE ON tandem_records BEGIN SELECT RAISE(ABORT, 'injected'); END;")
        let second = directory.appendingPathComponent("t2.jsonl")
        try CLITest.write([Self.write("k1", name: "A2"), Self.write("k2", name: "B2")], to: second)
        let interrupted = try Binaries.run(
            "tandem",
            [
                "replay", plan.path, "--traffic", second.path, "--primary", primary.path,
                "--shadow", shadow.path, "--quiet",
            ])
        #expect(interrupted.stderr.contains("wait in the outbox"), "\(interrupted.stderr)")
        #expect(
            try CLITest.sqlite(primary, "SELECT count(*) FROM tandem_outbox;").trimmingCharacters(
                in: .whitespacesAndNewlines) == "2")
        try CLITest.sqlite(shadow, "DROP TRIGGER refuse;")
        let reportURL = directory.appendingPathComponent("v.json")
        let result = try Binaries.run(
            "tandem",
            [
                "verify", plan.path, "--primary", primary.path, "--shadow", shadow.path,
                "--report", reportURL.path, "--quiet",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try CLITest.report(reportURL)
        #expect(report["totals"]?["repaired"]?.int64Value == 2)
        #expect(report["totals"]?["mismatched"]?.int64Value == 0)
        #expect(
            try CLITest.sqlite(primary, "SELECT count(*) FROM tandem_outbox;").trimmingCharacters(
                in: .whitespacesAndNewlines) == "0")
    }

    @Test func killedReplayLeavesStoresThatVerifyPasses() throws {
        let directory = try CLITest.temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITest.plan("user-profile", in: directory, minSamples: 50)
        let traffic = directory.appendingPathComponent("big.jsonl")
        let generated = try Binaries.run(
            "tandem",
            [
                "generate-traffic", plan.path, "--operations", "150000", "--seed", "5",
                "--out", traffic.path,
            ])
        #expect(generated.status == 0)
        for round in 0..<3 {
            let primary = directory.appendingPathComponent("p\(round).sqlite")
            let shadow = directory.appendingPathComponent("s\(round).sqlite")
            let process = Process()
            process.executableURL = try Binaries.url("tandem")
            process.arguments = [
                "replay", plan.path, "--traffic", traffic.path, "--primary", primary.path,
                "--shadow", shadow.path, "--quiet",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.4 + 0.3 * Double(round))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "the replay finished before it was killed")
            let reportURL = directory.appendingPathComponent("v\(round).json")
            let result = try Binaries.run(
                "tandem",
                [
                    "verify", plan.path, "--primary", primary.path, "--shadow", shadow.path,
                    "--report", reportURL.path, "--quiet",
                ])
            #expect(result.status == 0, "round \(round): \(result.stderr)")
            let report = try CLITest.report(reportURL)
            #expect(report["totals"]?["mismatched"]?.int64Value == 0)
            #expect((report["totals"]?["compared"]?.int64Value ?? 0) >= 50)
        }
    }

    @Test func diffShowsBothSidesRedactedAndExitsOneOnDifference() throws {
        let directory = try CLITest.temporaryDirectory("diff")
        defer { try? FileManager.default.removeItem(at: directory) }
        let traffic = directory.appendingPathComponent("t.jsonl")
        try CLITest.write(
            [Self.write("k1", name: "Ada"), Self.write("k2", name: "Grace", legacyName: "Grace H.")], to: traffic)
        let primary = directory.appendingPathComponent("p.sqlite")
        let shadow = directory.appendingPathComponent("s.sqlite")
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        _ = try Binaries.run(
            "tandem",
            ["replay", plan, "--traffic", traffic.path, "--primary", primary.path, "--shadow", shadow.path, "--quiet"])
        let same = try Binaries.run(
            "tandem", ["diff", plan, "--primary", primary.path, "--shadow", shadow.path, "--key", "k1"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("no differences"))
        let different = try Binaries.run(
            "tandem", ["diff", plan, "--primary", primary.path, "--shadow", shadow.path, "--key", "k2"])
        #expect(different.status == 1)
        #expect(different.stdout.contains("display_name  changed"))
        #expect(different.stdout.contains("\"Grace H.\""))
        #expect(!different.stdout.contains("@example.com"))
        #expect(different.stdout.contains("redacted:"))
        let unknown = try Binaries.run(
            "tandem", ["diff", plan, "--primary", primary.path, "--shadow", shadow.path, "--key", "nope"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("nope"))
    }

    @Test func demoTripsTheBreakerAndSaysWhereFilesAre() throws {
        let directory = try CLITest.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Binaries.run("tandem", ["demo", "--out", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("closed->open"))
        #expect(result.stdout.contains(directory.appendingPathComponent("report.json").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plan/tandem.yaml").path))
        #expect(result.stdout.contains("tandem diff"))
    }

    @Test func everyFormatIsWrittenAndTheLedgerRebuildsTheSameReport() throws {
        let directory = try CLITest.temporaryDirectory("formats")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = directory.appendingPathComponent("ledger.sqlite")
        var arguments = [
            "replay", CLITest.migrations.appendingPathComponent("user-profile").path,
            "--traffic", CLITest.examples.appendingPathComponent("traffic/user-profile-buggy-legacy-writer.jsonl").path,
            "--ledger", ledger.path, "--quiet",
        ]
        for name in ["r.json", "r.csv", "r.xml", "r.html", "r.md", "r.prom"] {
            arguments += ["--report", directory.appendingPathComponent(name).path]
        }
        arguments += [
            "--report", directory.appendingPathComponent("explicit.txt").path, "--format", "json", "--format", "csv",
            "--format", "junit", "--format", "html", "--format", "md", "--format", "prom", "--format", "json",
        ]
        let result = try Binaries.run("tandem", arguments)
        #expect(result.status == 1, "\(result.stderr)")
        let json = try String(contentsOf: directory.appendingPathComponent("r.json"), encoding: .utf8)
        #expect(try String(contentsOf: directory.appendingPathComponent("explicit.txt"), encoding: .utf8) == json)
        #expect(
            try String(contentsOf: directory.appendingPathComponent("r.csv"), encoding: .utf8).hasPrefix(
                "key,path,kind,v1,v2"))
        #expect(
            try String(contentsOf: directory.appendingPathComponent("r.xml"), encoding: .utf8).contains("<testsuite"))
        #expect(try String(contentsOf: directory.appendingPathComponent("r.html"), encoding: .utf8).contains("<svg"))
        #expect(
            try String(contentsOf: directory.appendingPathComponent("r.prom"), encoding: .utf8).contains(
                "tandem_comparisons_total"))
        for name in ["r.json", "r.csv", "r.xml", "r.html", "r.md", "r.prom"] {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("@example.com"), "\(name) shows a redacted email")
        }
        let rebuilt = directory.appendingPathComponent("again.json")
        let report = try Binaries.run("tandem", ["report", ledger.path, "--out", rebuilt.path])
        #expect(report.status == 1, "\(report.stderr)")
        #expect(try String(contentsOf: rebuilt, encoding: .utf8) == json)
        let bad = try Binaries.run(
            "tandem", ["report", directory.appendingPathComponent("r.json").path, "--out", rebuilt.path])
        #expect(bad.status == 3)
    }

    @Test func corruptStoreExitsThreeAndIsLeftAsItWas() throws {
        let directory = try CLITest.temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let primary = directory.appendingPathComponent("p.sqlite")
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: primary)
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        for arguments in [
            [
                "replay", plan, "--traffic", "-", "--primary", primary.path,
                "--shadow", directory.appendingPathComponent("s.sqlite").path, "--ledger",
                directory.appendingPathComponent("l.sqlite").path,
            ],
            ["verify", plan, "--primary", primary.path, "--shadow", primary.path + ".missing"],
        ] {
            let result = try Binaries.run("tandem", arguments, stdin: Data())
            #expect(result.status == 3, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.contains(directory.path), "\(arguments[0]): \(result.stderr)")
        }
        #expect(try Data(contentsOf: primary) == garbage)
    }
}
