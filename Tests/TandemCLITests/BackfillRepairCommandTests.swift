import Foundation
import Tandem
import TandemProto
import TandemTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `tandem backfill` and `tandem repair` end to end (DESIGN 11): the built binary on the example plans.
@Suite("tandem backfill and repair", .serialized)
struct BackfillRepairCommandTests {
    static var userProfile: String { CLITest.migrations.appendingPathComponent("user-profile").path }

    /// A legacy v1 user profile, encoded by hand (fields 1 id, 2 display_name, 3 created_ms, 4 status, 5 email,
    /// 7 tags): fast enough for stores of 100k records.
    static func legacyPayload(_ index: Int, key: String) -> [UInt8] {
        var out: [UInt8] = []
        func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                out.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            out.append(UInt8(value))
        }
        func string(_ field: UInt64, _ text: String) {
            varint(field << 3 | 2)
            varint(UInt64(text.utf8.count))
            out += Array(text.utf8)
        }
        string(1, key)
        string(2, "user \(index)")
        varint(3 << 3)
        varint(UInt64(1_700_000_000_000 + index * 1_001))
        varint(4 << 3)
        varint(UInt64(index % 3))
        string(5, "\(key)@example.com")
        string(7, "t\(index % 7)")
        return out
    }

    static func key(_ index: Int) -> String { "u" + String(format: "%06d", index) }

    /// A shadow store holding `count` legacy records (seq 1) and an empty primary, as before a migration.
    static func legacyStores(in directory: URL, count: Int) throws -> (primary: String, shadow: String) {
        let primary = directory.appendingPathComponent("primary.sqlite").path
        let shadow = directory.appendingPathComponent("shadow.sqlite").path
        let backend = try SQLiteRecordBackend(primaryPath: primary, shadowPath: shadow, exclusive: false)
        var batch: [ConditionalWrite] = []
        for index in 0..<count {
            let key = key(index)
            batch.append(
                ConditionalWrite(
                    side: .shadow,
                    record: StoredRecord(key: key, payload: legacyPayload(index, key: key), seq: 1, writtenAt: 0),
                    condition: .absent))
            if batch.count == 5_000 || index == count - 1 {
                _ = try backend.conditionalWrite(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        return (primary, shadow)
    }

    /// Legacy stores of `count` records backfilled v1-to-v2: both stores hold every record, as one write each.
    static func filledStores(in directory: URL, count: Int) throws -> (primary: String, shadow: String) {
        let stores = try legacyStores(in: directory, count: count)
        let filled = try tandem([
            "backfill", userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction", "v1-to-v2",
            "--quiet",
        ])
        try #require(filled.status == 0, "\(filled.stderr)")
        return stores
    }

    static func tandem(_ arguments: [String]) throws -> Binaries.Result {
        try Binaries.run("tandem", arguments)
    }

    static func verify(_ plan: String, _ stores: (primary: String, shadow: String), report: URL, extra: [String] = [])
        throws -> (status: Int32, report: JSONValue)
    {
        let result = try tandem(
            [
                "verify", plan, "--primary", stores.primary, "--shadow", stores.shadow, "--report", report.path,
                "--quiet",
            ]
                + extra)
        return (result.status, try CLITest.report(report))
    }

    @Test func aLegacyStoreOf100kRecordsIsBackfilledBothWaysAndVerifies() throws {
        let directory = try CLITest.temporaryDirectory("backfill100k")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.legacyStores(in: directory, count: 100_000)
        let backfill = directory.appendingPathComponent("backfill.json")
        let up = try Self.tandem([
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction",
            "v1-to-v2", "--report", backfill.path, "--quiet",
        ])
        #expect(up.status == 0, "\(up.stderr)")
        let job = try CLITest.report(backfill)["job"]
        #expect(job?["written"]?.int64Value == 100_000)
        #expect(job?["complete"] == .bool(true))
        #expect(job?["direction"] == .string("v1-to-v2"))
        var verified = try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("v1.json"))
        #expect(verified.status == 0)
        #expect(verified.report["totals"]?["compared"]?.int64Value == 100_000)
        #expect(verified.report["totals"]?["in_flight"]?.int64Value == 0)
        #expect(verified.report["totals"]?["mismatched"]?.int64Value == 0)

        // The other way: a v2 store with no shadow at all.
        try CLITest.sqlite(URL(fileURLWithPath: stores.shadow), "DELETE FROM tandem_records")
        let down = try Self.tandem([
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--report",
            backfill.path, "--quiet",
        ])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try CLITest.report(backfill)["job"]?["written"]?.int64Value == 100_000)
        verified = try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("v2.json"))
        #expect(verified.status == 0)
        #expect(verified.report["totals"]?["compared"]?.int64Value == 100_000)
        #expect(verified.report["totals"]?["in_flight"]?.int64Value == 0)
    }

    @Test func aDivergenceInOnePercentOfKeysIsRepairedFromAReportAndWithAll() throws {
        let directory = try CLITest.temporaryDirectory("repair")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.filledStores(in: directory, count: 10_000)
        let shadowURL = URL(fileURLWithPath: stores.shadow)
        // 1% of keys: their shadow rows replaced by another record's payload.
        try CLITest.sqlite(shadowURL, "UPDATE tandem_records SET payload = X'0A03787978' WHERE substr(key, -2) = '42'")
        let found = directory.appendingPathComponent("found.json")
        let before = try Self.verify(Self.userProfile, stores, report: found)
        #expect(before.status == 1)
        #expect(before.report["mismatches"]?.arrayElements?.count == 100)
        #expect(before.report["mismatches_truncated"] == .bool(false))

        let ledger = directory.appendingPathComponent("repair-ledger.sqlite").path
        let dry = try Self.tandem([
            "repair", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--from-report",
            found.path, "--dry-run", "--ledger", ledger, "--quiet",
        ])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(
            try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("d.json")).status == 1)

        let repairReport = directory.appendingPathComponent("repair.json")
        let repaired = try Self.tandem([
            "repair", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--from-report",
            found.path, "--ledger", ledger, "--report", repairReport.path, "--quiet",
        ])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let job = try CLITest.report(repairReport)["job"]
        #expect(job?["written"]?.int64Value == 100)
        #expect(job?["keys"]?.arrayElements?.count == 100)
        #expect(job?["keys"]?[0]?["action"] == .string("repaired"))
        #expect(job?["keys"]?[0]?["old_hash"]?.stringValue?.count == 64)
        #expect(job?["keys"]?[0]?["new_hash"]?.stringValue?.count == 64)
        #expect(
            try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("a.json")).status == 0)

        // The ledger holds every repair: `tandem report` renders the job from it.
        let rendered = directory.appendingPathComponent("rendered.json")
        let report = try Self.tandem(["report", ledger, "--out", rendered.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try CLITest.report(rendered)["job"] == job)
        let html = directory.appendingPathComponent("rendered.html")
        #expect(try Self.tandem(["report", ledger, "--out", html.path]).status == 0)
        #expect(try String(contentsOf: html, encoding: .utf8).contains("<h2>Repair</h2>"))

        // --all: a verify pass that repairs what it finds.
        try CLITest.sqlite(shadowURL, "UPDATE tandem_records SET payload = X'0A03787978' WHERE substr(key, -2) = '17'")
        let all = try Self.tandem([
            "repair", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--all",
            "--report", repairReport.path, "--quiet",
        ])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try CLITest.report(repairReport)["job"]?["written"]?.int64Value == 100)
        #expect(
            try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("b.json")).status == 0)
    }

    @Test func repairRefusesATruncatedOrRedactedReportAndChangesNothing() throws {
        let directory = try CLITest.temporaryDirectory("repair-refused")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.filledStores(in: directory, count: 300)
        try CLITest.sqlite(
            URL(fileURLWithPath: stores.shadow),
            "UPDATE tandem_records SET payload = X'0A03787978' WHERE substr(key, -1) = '3'")
        let truncated = directory.appendingPathComponent("truncated.json")
        let found = try Self.verify(Self.userProfile, stores, report: truncated, extra: ["--max-samples", "5"])
        #expect(found.report["mismatches_truncated"] == .bool(true))
        let refused = try Self.tandem([
            "repair", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--from-report",
            truncated.path,
        ])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("truncated"))
        // A key no store can hold is a usage error, before anything is opened.
        let empty = try Self.tandem([
            "repair", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--key", "u000001",
            "--key", "",
        ])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--key: key '': "), "\(empty.stderr)")

        // A plan that redacts its key field: the report's keys are tokens that name no record.
        let redacting = try CLITest.plan("user-profile", in: directory)
        let yaml = redacting.appendingPathComponent("tandem.yaml")
        let text = try String(contentsOf: yaml, encoding: .utf8)
        try text.replacingOccurrences(of: "redact: [email]", with: "redact: [email, id]")
            .write(to: yaml, atomically: true, encoding: .utf8)
        let redacted = directory.appendingPathComponent("redacted.json")
        let tokens = try Self.verify(redacting.path, stores, report: redacted)
        #expect(tokens.report["keys_redacted"] == .bool(true))
        #expect(tokens.report["mismatches"]?[0]?["key"]?.stringValue?.hasPrefix("redacted:") == true)
        let refusedRedacted = try Self.tandem([
            "repair", redacting.path, "--primary", stores.primary, "--shadow", stores.shadow, "--from-report",
            redacted.path,
        ])
        #expect(refusedRedacted.status == 2)
        #expect(refusedRedacted.stderr.contains("redacted"))
        // Nothing was repaired by either refusal.
        #expect(
            try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("after.json")).report[
                "totals"]?["mismatched"]?.int64Value == 30)
    }

    @Test func aRecordThatCannotBeFilledIsListedAndTheRunExitsOne() throws {
        let directory = try CLITest.temporaryDirectory("unfillable")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.legacyStores(in: directory, count: 50)
        // One legacy row that does not decode as a v1 record.
        try CLITest.sqlite(
            URL(fileURLWithPath: stores.shadow), "UPDATE tandem_records SET payload = X'FFFF' WHERE key = 'u000017'")
        let report = directory.appendingPathComponent("backfill.json")
        let result = try Self.tandem([
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction",
            "v1-to-v2", "--report", report.path,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAILED - 1 keys could not be done"), "\(result.stdout)")
        #expect(
            result.stderr.contains("key u000017: unfillable: $: the shadow row does not decode"), "\(result.stderr)")
        let job = try CLITest.report(report)["job"]
        #expect(job?["written"]?.int64Value == 49)
        #expect(job?["failed"]?.int64Value == 1)
        #expect(job?["keys"]?[0]?["key"] == .string("u000017"))
        #expect(
            try CLITest.sqlite(URL(fileURLWithPath: stores.primary), "SELECT count(*) FROM tandem_records") == "49\n")
    }

    @Test func aRepairUnderAPlanThatRedactsItsKeysNamesThemOnlyByToken() throws {
        let directory = try CLITest.temporaryDirectory("repair-redacted")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.filledStores(in: directory, count: 100)
        try CLITest.sqlite(
            URL(fileURLWithPath: stores.shadow),
            "UPDATE tandem_records SET payload = X'0A03787978' WHERE key = 'u000042'")
        let plan = try CLITest.plan("user-profile", in: directory)
        let yaml = plan.appendingPathComponent("tandem.yaml")
        try String(contentsOf: yaml, encoding: .utf8).replacingOccurrences(
            of: "redact: [email]", with: "redact: [email, id]"
        )
        .write(to: yaml, atomically: true, encoding: .utf8)
        let ledger = directory.appendingPathComponent("repair.sqlite")
        let report = directory.appendingPathComponent("repair.json")
        let repaired = try Self.tandem([
            "repair", plan.path, "--primary", stores.primary, "--shadow", stores.shadow, "--all", "--ledger",
            ledger.path,
            "--report", report.path,
        ])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let keys = try CLITest.report(report)["job"]?["keys"]
        #expect(keys?[0]?["action"] == .string("repaired"))
        #expect(keys?[0]?["key"]?.stringValue?.hasPrefix("redacted:") == true)
        // The key appears in clear nowhere Tandem wrote: the report, the ledger, the console.
        for text in [try String(contentsOf: report, encoding: .utf8), repaired.stdout, repaired.stderr] {
            #expect(!text.contains("u000042"))
        }
        #expect(!(try CLITest.sqlite(ledger, "SELECT key FROM tandem_ledger_job_keys")).contains("u000042"))
        // 100 keys are fewer than the gate's min_samples: inconclusive (4), but nothing mismatches any more.
        let after = try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("v.json"))
        #expect(after.status == 4)
        #expect(after.report["totals"]?["mismatched"]?.int64Value == 0)
    }

    @Test func aPlanThatDoesNotInvertIsRefusedWithEveryReason() throws {
        let directory = try CLITest.temporaryDirectory("not-invertible")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITest.plan("user-profile", in: directory)
        let yaml = plan.appendingPathComponent("tandem.yaml")
        var text = try String(contentsOf: yaml, encoding: .utf8)
        text = text.replacingOccurrences(of: "SUSPENDED: DISABLED", with: "SUSPENDED: ACTIVE")
        text = text.replacingOccurrences(of: "from: profile.display_name", with: "from: email_address")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        let stores = try Self.legacyStores(in: directory, count: 10)
        let result = try Self.tandem([
            "backfill", plan.path, "--primary", stores.primary, "--shadow", stores.shadow, "--direction", "v1-to-v2",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("tandem.yaml:12: whitelist[3] (status)"), "\(result.stderr)")
        #expect(result.stderr.contains("whitelist[4] (email)"), "\(result.stderr)")
        #expect(result.stderr.contains("many-to-one"))
        // Refused before the ledger or any store was touched.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("ledger.sqlite").path))
        #expect(
            try CLITest.sqlite(URL(fileURLWithPath: stores.primary), "SELECT count(*) FROM tandem_records") == "0\n")
    }

    @Test func aKilledBackfillResumesWhereItStopped() throws {
        let directory = try CLITest.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = try Self.legacyStores(in: directory, count: 40_000)
        let ledger = directory.appendingPathComponent("ledger.sqlite").path
        let process = Process()
        process.executableURL = try Binaries.url("tandem")
        process.arguments = [
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction",
            "v1-to-v2", "--ledger", ledger, "--rate", "10000", "--batch", "200", "--quiet",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The position is saved every second: wait for a few, then kill the run mid-way.
        usleep(2_600_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let saved = try CLITest.sqlite(
            URL(fileURLWithPath: ledger),
            "SELECT value FROM tandem_ledger_state WHERE name = 'resume/backfill/v1-to-v2'")
        #expect(saved.contains("\"complete\":false"), "\(saved)")
        let done =
            Int(
                try CLITest.sqlite(URL(fileURLWithPath: stores.primary), "SELECT count(*) FROM tandem_records")
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(done > 0 && done < 40_000, "\(done) rows before the kill")

        let report = directory.appendingPathComponent("resumed.json")
        let resumed = try Self.tandem([
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction",
            "v1-to-v2", "--ledger", ledger, "--report", report.path, "--quiet",
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let job = try CLITest.report(report)["job"]
        #expect(job?["resumed"] == .bool(true))
        let scanned = job?["scanned"]?.int64Value ?? 0
        #expect(scanned < 40_000 && scanned >= Int64(40_000 - done - 200), "scanned \(scanned)")
        let verified = try Self.verify(Self.userProfile, stores, report: directory.appendingPathComponent("v.json"))
        #expect(verified.status == 0)
        #expect(verified.report["totals"]?["compared"]?.int64Value == 40_000)
        // Once complete, a rerun starts over and finds nothing to fill.
        let again = try Self.tandem([
            "backfill", Self.userProfile, "--primary", stores.primary, "--shadow", stores.shadow, "--direction",
            "v1-to-v2", "--ledger", ledger, "--report", report.path, "--quiet",
        ])
        #expect(again.status == 0)
        #expect(try CLITest.report(report)["job"]?["unchanged"]?.int64Value == 40_000)
    }
}
