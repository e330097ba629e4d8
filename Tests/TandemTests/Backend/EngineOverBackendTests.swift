import Foundation
import Tandem
import TandemProto
import TandemTesting
import Testing

/// The writer, the comparator, replay and verify driven through the protocols: the in-memory backend must give the
/// same verdicts as SQLite on the same traffic.
@Suite("Engine over any backend")
struct EngineOverBackendTests {
    static let traffic = PlanTestSupport.repositoryRoot + "/Examples/traffic/user-profile-buggy-legacy-writer.jsonl"

    /// Replays the example traffic into a fresh backend of `kind`, then verifies the stores; returns both reports.
    static func replayAndVerify(_ kind: BackendKind) throws -> (replay: Report, verify: Report) {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let fixture = try BackendFixture(kind)
        let clock = TrafficClock()
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend,
            configuration: .init(writer: .init(mode: kind.mode), clock: clock))
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: traffic)
        try runner.run(try TrafficLineReader(path: traffic))
        let replay = engine.report(source: "replay", startedAt: Date(), timeline: runner.timeline.points)

        let verifier = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(mode: kind.mode)))
        let verify = VerifyRunner(engine: verifier, configuration: .init(pageSize: 64))
        try verify.run()
        return (replay, verifier.report(source: "verify", startedAt: Date(), timeline: verify.timeline.points))
    }

    @Test(arguments: [DualWriteMode.outbox, .atomic])
    func replayAndVerifyGiveTheSameVerdictsInMemoryAsOnSQLite(mode: DualWriteMode) throws {
        let sqlite = try Self.replayAndVerify(mode == .outbox ? .sqliteOutbox : .sqliteAtomic)
        let memory = try Self.replayAndVerify(mode == .outbox ? .memoryOutbox : .memoryAtomic)
        #expect(sqlite.replay.totals.writes > 0)
        #expect(sqlite.replay.totals.mismatched > 0)
        #expect(memory.replay.totals == sqlite.replay.totals)
        #expect(memory.replay.fields.map(\.path) == sqlite.replay.fields.map(\.path))
        #expect(memory.replay.breakerState == sqlite.replay.breakerState)
        #expect(memory.verify.totals == sqlite.verify.totals)
        // Redacted values are salted per run, so groups compare by path, kind, count and keys.
        func groups(_ report: Report) -> [String] {
            report.fields.map { "\($0.path) \($0.kind) \($0.count) \($0.sampleKeys)" }
        }
        #expect(groups(memory.verify) == groups(sqlite.verify))
        #expect(sqlite.verify.totals.compared > 0)
    }

    @Test
    func theBackgroundComparatorRetriesAWriteInFlightInsteadOfCallingItAMismatch() async throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let backend = InMemoryRecordBackend(mode: .outbox)
        let engine = try MigrationEngine(
            plan: plan, backend: backend,
            configuration: .init(writer: .init(shadowWrites: .inline), inFlightRetryDelay: .milliseconds(20)))
        let op = try engine.prepareWrite(key: "user-1", v2: [0x0A, 0x03, 0x61, 0x62, 0x63])
        try await engine.write(op)
        let row = try #require(try engine.read("user-1", from: .primary))
        // Another process's write has reached the primary but not the shadow: the pair carries different seqs.
        backend.overwrite(
            StoredRecord(key: "user-1", payload: row.payload, seq: row.seq + 1, writtenAt: row.writtenAt), in: .primary)
        let start = ContinuousClock.now
        let retries = engine.comparator.compareBatch([Comparator.Pending(key: "user-1")], now: start)
        #expect(retries.count == 1)
        #expect(retries.first?.retryAt == start + .milliseconds(20))
        #expect(engine.gate.totals.compared == 0)
        // Its shadow row lands before the retry: the retried comparison compares the pair.
        backend.overwrite(
            StoredRecord(
                key: "user-1", payload: try #require(try engine.read("user-1", from: .shadow)).payload,
                seq: row.seq + 1, writtenAt: row.writtenAt), in: .shadow)
        #expect(engine.comparator.compareBatch(retries, now: start + .milliseconds(20)).isEmpty)
        #expect(engine.gate.totals.matched == 1)
        // A retry whose rows still differ counts as in flight, never as a mismatch.
        backend.overwrite(
            StoredRecord(key: "user-1", payload: row.payload, seq: row.seq + 2, writtenAt: row.writtenAt), in: .primary)
        let again = engine.comparator.compareBatch([Comparator.Pending(key: "user-1")], now: start)
        #expect(engine.comparator.compareBatch(again, now: start + .milliseconds(20)).isEmpty)
        #expect(engine.gate.totals.inFlight == 1)
        #expect(engine.gate.totals.mismatched == 0)
    }

    @Test
    func aShadowReaderComparesEveryReadInBatchesThroughTheMemoryBackend() async throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let engine = try MigrationEngine(plan: plan, backend: InMemoryRecordBackend(mode: .outbox))
        for i in 0..<200 {
            try await engine.write(try engine.prepareWrite(key: "user-\(i)", v2: [0x0A, 0x01, UInt8(0x41 + i % 26)]))
        }
        let reader = ShadowReader(engine: engine, stage: .shadow)
        let comparator = Task { await reader.run() }
        for i in 0..<200 { _ = try reader.read("user-\(i)") }
        reader.shutdown()
        await comparator.value
        #expect(engine.gate.totals.compared == 200)
        #expect(engine.gate.totals.matched == 200)
        #expect(engine.totals.reads == 200)
    }

    @Test func verifyReadsAheadOnThreadsOfItsOwnAndStopsAtTheFirstUnreadablePage() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let backend = InMemoryRecordBackend(mode: .outbox)
        let writer = try MigrationEngine(plan: plan, backend: backend)
        let payload = try DynamicMessage(
            jsonString: #"{"id":"x","profile":{"displayName":"Ada"},"status":"ACTIVE"}"#,
            descriptor: plan.v2Message, schema: plan.v2.schema
        ).serializedBytes()
        let keys = (0..<100).map { String(format: "k%03d", $0) }
        _ = try writer.apply(try keys.map { try writer.prepareWrite(key: $0, v2: payload) })
        writer.writer.waitForShadowWrites()

        // Every page is compared, in order, a page of outcomes at a time.
        let whole = try MigrationEngine(plan: plan, backend: backend)
        let runner = VerifyRunner(engine: whole, configuration: .init(pageSize: 7))
        try runner.run()
        #expect(runner.processed == 100)
        #expect(whole.gate.totals.compared == 100 && whole.gate.totals.matched == 100)
        #expect(runner.timeline.points.last?.compared == 100)

        // A page that cannot be read stops the run with the store's error; the pages before it stay counted.
        backend.failPages(after: "k049")
        let partial = try MigrationEngine(plan: plan, backend: backend)
        let stopped = VerifyRunner(engine: partial, configuration: .init(pageSize: 10))
        #expect {
            try stopped.run()
        } throws: { error in
            (error as? EngineError)?.reason.contains("page after k049 is unreadable") == true
        }
        #expect(stopped.processed == 50)
        #expect(partial.gate.totals.compared == 50)
    }

    @Test func verifyOnSeveralThreadsKeepsTheSameFindingsInTheSameOrderAsOnOne() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let fixture = try BackendFixture(.memoryOutbox)
        let engine = try MigrationEngine(plan: plan, backend: fixture.backend)
        try ReplayRunner(engine: engine, clock: TrafficClock(), trafficFile: Self.traffic)
            .run(try TrafficLineReader(path: Self.traffic))
        engine.writer.waitForShadowWrites()

        // Pages of 3 judged on up to 4 threads must keep the samples (bounded, so which keys are kept depends on
        // order), the groups and every count exactly as one thread keeps them.
        func verify(threads: Int) throws -> Report {
            let verifier = try MigrationEngine(
                plan: plan, backend: fixture.backend, configuration: .init(maxSamples: 5))
            let runner = VerifyRunner(
                engine: verifier, configuration: .init(pageSize: 3, compareThreads: threads))
            try runner.run()
            return verifier.report(source: "verify", startedAt: Date(), timeline: runner.timeline.points)
        }
        let one = try verify(threads: 1)
        try #require(one.totals.mismatched > 5, "the traffic must mismatch on more keys than the sample keeps")
        for threads in [2, 4] {
            let several = try verify(threads: threads)
            #expect(several.totals == one.totals)
            #expect(several.mismatchesTruncated && one.mismatchesTruncated)
            #expect(several.mismatches.map(\.key) == one.mismatches.map(\.key))
            #expect(several.mismatches.map { $0.diffs.map(\.path) } == one.mismatches.map { $0.diffs.map(\.path) })
            #expect(
                several.fields.map { "\($0.path) \($0.kind) \($0.count) \($0.sampleKeys)" }
                    == one.fields.map { "\($0.path) \($0.kind) \($0.count) \($0.sampleKeys)" })
        }
    }

    @Test(arguments: ComparatorPriority.allCases)
    func theComparatorThreadCarriesItsNameAndPriorityOnLinux(priority: ComparatorPriority) async throws {
        #if os(Linux)
            let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
            let engine = try MigrationEngine(plan: plan, backend: InMemoryRecordBackend(mode: .outbox))
            let reader = ShadowReader(engine: engine, stage: .shadow, configuration: .init(priority: priority))
            let comparator = Task { await reader.run() }
            defer { reader.shutdown() }
            var thread: Int32 = 0
            for _ in 0..<200 {
                thread = reader.comparatorThreadID.load(ordering: .acquiring)
                if thread != 0 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            try #require(thread != 0, "the comparator thread did not start")
            let task = String(thread)
            let name = try String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            #expect(name.trimmingCharacters(in: .whitespacesAndNewlines) == "tandem-compare")
            // /proc/<tid>/stat: after the command's closing parenthesis, field 19 is the nice value and 41 the policy.
            let stat = try String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...]
                .split(separator: " ").map(String.init)
            let nice = Int(fields[16])
            let policy = Int(fields[38])
            switch priority {
            case .normal:
                #expect(policy == 0 && nice == 0, "policy \(policy ?? -1), nice \(nice ?? -1)")
            case .background:
                #expect(policy == 5 || nice == 19, "policy \(policy ?? -1), nice \(nice ?? -1)")
            }
            reader.shutdown()
            await comparator.value
        #endif
    }
}
