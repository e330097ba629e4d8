import Foundation
import TandemProto
import Testing

@testable import Tandem

/// A report with something in every section, hostile strings included, and a redacted value as its token.
enum LedgerFixture {
    static let secret = "123-45-6789-SECRET"
    static let token = Redactor(paths: [FieldPath(parsing: "ssn")], salt: Array("salt".utf8)).token(
        for: .string(secret))
    static let odd = [
        "<script>x</script>", "a,b\"c\r\nd", "nul\u{0}in", "é\u{301}", "👩‍👩‍👧", String(repeating: "long", count: 5_000),
    ]

    static func report(mismatchCount: Int = 4, compared: Int = 500, passed: Bool = true) -> Report {
        var totals = Report.Totals()
        totals.writes = 1_000
        totals.reads = 700
        totals.deletes = 2
        totals.compared = compared
        totals.mismatched = 3
        totals.matched = compared - 3
        totals.inFlight = 1
        totals.shed = 5
        totals.badLines = 2
        totals.repaired = 1
        totals.unknownFields = 7
        let start = Date(timeIntervalSinceReferenceDate: 736_000_000.123456789)
        let fields = [
            Report.FieldGroup(
                path: "name", kind: .changed, count: 2, sampleKeys: ["k1", odd[1]],
                sampleDiffs: [
                    Report.Diff(path: "name", kind: .changed, v1: .string(odd[0]), v2: .null),
                    Report.Diff(path: "name", kind: .changed, v1: nil, v2: .number("1e-7")),
                ]),
            Report.FieldGroup(
                path: "ssn", kind: .changed, count: 1, sampleKeys: ["user-7"],
                sampleDiffs: [
                    Report.Diff(
                        path: "ssn", kind: .changed, v1: .string(token),
                        v2: .string(token + "0"))
                ]),
            Report.FieldGroup(
                path: "tags[*]", kind: .missingInShadow, count: 1, sampleKeys: ["only-key"], sampleDiffs: []),
        ]
        let mismatches =
            (0..<mismatchCount).map { index in
                Report.Mismatch(
                    key: "key-\(index)-\(odd[index % odd.count])",
                    diffs: [
                        Report.Diff(
                            path: "a.b[\(index)]", kind: .changed,
                            v1: .object([
                                .init("x", .number("18446744073709551615")),
                                .init(odd[index % odd.count], .array([.bool(true), .null])),
                            ]),
                            v2: .string(odd[(index + 1) % odd.count])),
                        Report.Diff(
                            path: "payload", kind: .undecodable, v1: nil, v2: nil, detail: "truncated varint at byte 3"
                        ),
                    ])
            } + [
                Report.Mismatch(
                    key: "user-7", diffs: [Report.Diff(path: "ssn", kind: .changed, v1: .string(token), v2: nil)])
            ]
        return Report(
            plan: "user-profile " + odd[0], planFingerprint: "sha256:abc", source: "replay", startedAt: start,
            finishedAt: start.addingTimeInterval(12.5), totals: totals,
            consistency: Double(compared - 3) / Double(compared),
            interval: Report.Interval(low: 0.98123456789, high: 0.9999, confidence: 0.95),
            gate: Report.Gate(
                minConsistency: 0.99, minSamples: 100, passed: passed, confident: true, inconclusive: false,
                reason: "passed: consistency " + odd[1]),
            breakerState: .closed,
            transitions: [
                Report.Transition(
                    at: start.addingTimeInterval(1.1), from: .closed, to: .metricsOnly, mismatchRate: 0.1,
                    samples: 10)
            ],
            fields: fields, mismatches: mismatches,
            cohorts: [
                "eu": Report.Cohort(compared: 300, mismatched: 1), odd[2]: Report.Cohort(compared: 200, mismatched: 2),
            ],
            timeline: (0..<20).map {
                Report.TimelinePoint(
                    at: start.addingTimeInterval(Double($0) * 0.7), compared: $0 * 25, mismatched: $0 / 7)
            },
            settings: [
                .v1Message("acme.User"), .minConsistency(0.99), .redact(["ssn"]), .other(key: odd[0], value: odd[1]),
            ])
    }
}

func ledgerError<T>(_ body: () throws(LedgerError) -> T) -> LedgerError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Every byte of the ledger's files (the database and, while a writer has it open, its WAL).
func ledgerBytes(_ path: String) -> Data {
    var data = Data()
    for suffix in ["", "-wal", "-journal"] {
        if let part = FileManager.default.contents(atPath: path + suffix) { data.append(part) }
    }
    return data
}

@Suite struct LedgerTests {
    @Test func aJobAndTheReportFlagsReadBackAndGrowByCheckpoint() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        var report = LedgerFixture.report()
        report.mismatchesTruncated = true
        report.keysRedacted = true
        var job = Report.Job(kind: .backfill, direction: .v1ToV2)
        job.scanned = 10
        job.written = 8
        job.failed = 2
        job.entries = [
            Report.JobEntry(
                key: "k1", action: .unfillable, reason: "count: too big", at: Date(timeIntervalSince1970: 5))
        ]
        report.job = job
        let ledger = try Ledger.open(path: path)
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        // Entries only grow between checkpoints: the new ones are appended, the counts replaced.
        job.entries.append(
            Report.JobEntry(key: "k2", action: .unfillable, reason: nil, at: Date(timeIntervalSince1970: 6)))
        job.complete = true
        report.job = job
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        // A new run on the same ledger starts without the job, but keeps resume positions.
        try ledger.saveResumePoint("backfill/v1-to-v2", Array("k2".utf8))
        let next = try Ledger.open(path: path, initial: LedgerFixture.report())
        #expect(try next.loadReport().job == nil)
        #expect(try next.resumePoint("backfill/v1-to-v2") == Array("k2".utf8))
        #expect(try next.backend.state(Ledger.breakerStateRow) == nil)
    }

    @Test func checkpointThenLoadGivesAnEqualReport() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let report = LedgerFixture.report()
        let ledger = try Ledger.open(path: path)
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        #expect(try ledger.loadReport() == report)
        // Bit-exact doubles and dates, not just close ones.
        let loaded = try Ledger.loadReport(path: path)
        #expect(
            loaded.startedAt.timeIntervalSinceReferenceDate.bitPattern
                == report.startedAt.timeIntervalSinceReferenceDate.bitPattern)
        #expect(loaded.interval.low.bitPattern == report.interval.low.bitPattern)
        #expect(loaded.mismatches[0].diffs[0].v1 == report.mismatches[0].diffs[0].v1)
    }

    @Test func laterCheckpointsReplaceEarlierOnesWhetherSectionsGrowOrShrink() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let ledger = try Ledger.open(path: path)
        var report = LedgerFixture.report(mismatchCount: 2, compared: 200)
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        // Samples and timeline grow (appended), groups and cohorts change (rewritten).
        report = LedgerFixture.report(mismatchCount: 6, compared: 900)
        report.fields.removeFirst()
        report.cohorts["new"] = Report.Cohort(compared: 1, mismatched: 1)
        report.timeline.append(Report.TimelinePoint(at: report.finishedAt, compared: 900, mismatched: 3))
        report.transitions.append(
            Report.Transition(
                at: report.finishedAt, from: .metricsOnly, to: .open,
                mismatchRate: 0.2, samples: 50))
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        // Samples and timeline shrink (downsampled): rewritten.
        report.mismatches = Array(report.mismatches.suffix(2))
        report.timeline = stride(from: 0, to: report.timeline.count, by: 2).map { report.timeline[$0] }
        report.transitions.removeLast()
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
        // An unchanged checkpoint changes nothing.
        try ledger.checkpoint(report: report)
        #expect(try Ledger.loadReport(path: path) == report)
    }

    @Test func aRunKilledBetweenCheckpointsKeepsTheLastOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let first = LedgerFixture.report(mismatchCount: 3, compared: 300)
        let copy = directory.file("killed.sqlite")
        do {
            let ledger = try Ledger.open(path: path)
            try ledger.checkpoint(report: first)
            // The next checkpoint is half written when the process dies: another connection holds its transaction
            // open while the files are copied, which is what a crash leaves on disk.
            let writer = try SQLiteConnection(path: path)
            try writer.execute("BEGIN IMMEDIATE")
            try writer.execute("DELETE FROM tandem_ledger_mismatch_diffs")
            try writer.execute("UPDATE tandem_ledger_run SET compared = 999999, plan = 'half-written'")
            try writer.execute("INSERT INTO tandem_ledger_cohorts(name, compared, mismatched) VALUES ('ghost', 1, 1)")
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
            }
            try writer.execute("ROLLBACK")
            // Transitions buffered but never written are lost with the process.
            ledger.record(
                transition: BreakerTransition(at: Date(), from: .closed, to: .open, mismatchRate: 1, samples: 9))
        }
        #expect(try Ledger.loadReport(path: copy) == first)
        #expect(try Ledger.loadReport(path: path) == first)
    }

    @Test func aBreakerThatOpenedAfterTheLastCheckpointFailsTheLoadedReport() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let report = LedgerFixture.report(passed: true)
        let ledger = try Ledger.open(path: path)
        // The hook saw the first transition before the checkpoint; the second comes after it.
        ledger.record(
            transition: BreakerTransition(
                at: report.transitions[0].at, from: .closed, to: .metricsOnly,
                mismatchRate: 0.1, samples: 10))
        try ledger.checkpoint(report: report)
        #expect(ledger.pendingTransitions == 0)
        let opened = BreakerTransition(at: report.finishedAt, from: .closed, to: .open, mismatchRate: 0.3, samples: 100)
        ledger.record(transition: opened)
        #expect(ledger.pendingTransitions == 1)
        try ledger.flush()
        #expect(ledger.pendingTransitions == 0)
        let loaded = try Ledger.loadReport(path: path)
        #expect(loaded.transitions == report.transitions + [opened])
        #expect(loaded.breakerState == .open)
        // Failed (exit 1), not inconclusive: the breaker opened.
        #expect(loaded.gate.passed == false)
        #expect(loaded.gate.inconclusive == false)
        // The next checkpoint's report holds it: exactly that report again.
        var next = report
        next.transitions.append(opened)
        next.breakerState = .open
        try ledger.checkpoint(report: next)
        #expect(try Ledger.loadReport(path: path) == next)
    }

    @Test func aFailedCheckpointLeavesThePreviousOneWhole() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let ledger = try Ledger.open(path: path)
        let first = LedgerFixture.report(mismatchCount: 2)
        try ledger.checkpoint(report: first)
        let injector = try SQLiteConnection(path: path)
        try injector.execute(
            """
            CREATE TRIGGER fail_cohorts BEFORE INSERT ON tandem_ledger_cohorts
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END
            """)
        var second = LedgerFixture.report(mismatchCount: 5)
        second.cohorts["late"] = Report.Cohort(compared: 1, mismatched: 0)
        let error = ledgerError { () throws(LedgerError) in try ledger.checkpoint(report: second) }
        #expect(error?.code == .writeFailed)
        #expect(error?.path == path)
        #expect(try Ledger.loadReport(path: path) == first)
        try injector.execute("DROP TRIGGER fail_cohorts")
        try ledger.checkpoint(report: second)
        #expect(try Ledger.loadReport(path: path) == second)
    }

    @Test func redactedValuesAreStoredOnlyAsTokens() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let ledger = try Ledger.open(path: path)
        try ledger.checkpoint(report: LedgerFixture.report())
        let bytes = ledgerBytes(path)
        #expect(bytes.range(of: Data(LedgerFixture.secret.utf8)) == nil)
        #expect(bytes.range(of: Data("123-45-6789".utf8)) == nil)
        #expect(bytes.range(of: Data(LedgerFixture.token.utf8)) != nil)
        // Keys are not redacted, by design (DESIGN 7 redacts field values): the key is stored as given.
        #expect(bytes.range(of: Data("user-7".utf8)) != nil)
    }

    @Test func aSQLiteFileThatIsNotALedgerIsATypedErrorAndIsLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("primary.sqlite")
        _ = try SQLiteStore(path: path)
        let before = contents(path)
        let openError = ledgerError { () throws(LedgerError) in try Ledger.open(path: path) }
        #expect(openError?.code == .notALedger)
        #expect(openError?.path == path)
        #expect(openError?.description.hasPrefix(path + ": not a Tandem ledger") == true)
        let loadError = ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }
        #expect(loadError?.code == .notALedger)
        #expect(loadError?.path == path)
        #expect(contents(path) == before)
    }

    @Test func aFileThatIsNotSQLiteIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("traffic.jsonl")
        try Data(String(repeating: "{\"op\":\"read\",\"key\":\"k\"}\n", count: 200).utf8).write(
            to: URL(fileURLWithPath: path))
        let before = contents(path)
        for error in [
            ledgerError { () throws(LedgerError) in try Ledger.open(path: path) },
            ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) },
        ] {
            #expect(error?.code == .notALedger)
            #expect(error?.path == path)
        }
        #expect(contents(path) == before)
    }

    @Test func aCorruptLedgerIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        do {
            let ledger = try Ledger.open(path: path)
            try ledger.checkpoint(report: LedgerFixture.report(mismatchCount: 200))
        }
        // Closed: the WAL is folded into the file. Overwrite every page after the first with garbage.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        try #require(bytes.count > pageSize * 3)
        for index in pageSize..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: index * 7 + 13) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }
        #expect(error?.code == .corrupt)
        #expect(error?.path == path)
    }

    @Test(arguments: [
        ("UPDATE tandem_ledger_run SET breaker_state = 'ajar'", "tandem_ledger_run.breaker_state: 'ajar'"),
        ("UPDATE tandem_ledger_transitions SET to_state = 'shut'", "tandem_ledger_transitions.to_state: 'shut'"),
        ("UPDATE tandem_ledger_groups SET kind = 'value'", "tandem_ledger_groups.kind: 'value'"),
        ("UPDATE tandem_ledger_mismatch_diffs SET kind = 'missing'", "tandem_ledger_mismatch_diffs.kind: 'missing'"),
        (
            "UPDATE tandem_ledger_settings SET value = 'lots' WHERE key = 'gate.min_consistency'",
            "tandem_ledger_settings.value: 'lots'"
        ),
    ])
    func aStateOrKindTheReportDoesNotKnowIsCorruptionNamedByTableAndColumn(sql: String, named: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        do {
            let ledger = try Ledger.open(path: path)
            try ledger.checkpoint(report: LedgerFixture.report(mismatchCount: 3))
        }
        try SQLiteConnection(path: path).execute(sql)
        let error = ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }
        #expect(error?.code == .corrupt)
        #expect(error?.description.contains(named) == true, "\(String(describing: error))")
    }

    @Test func missingFilesEmptyLedgersAndNewerVersionsAreTypedErrors() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("nope.sqlite")
        let missingError = ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: missing) }
        #expect(missingError?.code == .openFailed)
        #expect(missingError?.path == missing)
        #expect(!FileManager.default.fileExists(atPath: missing))

        let path = directory.file("ledger.sqlite")
        _ = try Ledger.open(path: path)
        #expect(ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }?.code == .noCheckpoint)

        try SQLiteConnection(path: path).execute("UPDATE tandem_ledger_version SET version = 99")
        let newer = ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }
        #expect(newer?.code == .unsupportedVersion)
        #expect(ledgerError { () throws(LedgerError) in try Ledger.open(path: path) }?.code == .unsupportedVersion)

        let noDirectory = directory.file("missing-dir/ledger.sqlite")
        #expect(ledgerError { () throws(LedgerError) in try Ledger.open(path: noDirectory) }?.code == .openFailed)
    }

    @Test func openingALedgerForWritingStartsANewRun() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        do {
            let ledger = try Ledger.open(path: path)
            try ledger.checkpoint(report: LedgerFixture.report())
        }
        let again = try Ledger.open(path: path)
        #expect(ledgerError { () throws(LedgerError) in try Ledger.loadReport(path: path) }?.code == .noCheckpoint)
        let second = LedgerFixture.report(mismatchCount: 1, compared: 150)
        try again.checkpoint(report: second)
        #expect(try Ledger.loadReport(path: path) == second)
    }

    @Test func aWriteProtectedLedgerStillLoads() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let report = LedgerFixture.report()
        do {
            let ledger = try Ledger.open(path: path)
            try ledger.checkpoint(report: report)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        #expect(try Ledger.loadReport(path: path) == report)
    }
}
