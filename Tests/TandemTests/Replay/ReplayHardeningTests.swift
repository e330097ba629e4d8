import Foundation
import Tandem
import TandemTesting
import Testing

/// Issue 19: what hostile traffic and kills used to break in a replay.
@Suite("Replay hardening")
struct ReplayHardeningTests {
    static let plan = PlanTestSupport.migrationDirectory("user-profile")
    static let clean = PlanTestSupport.repositoryRoot + "/Examples/traffic/user-profile.jsonl"
    static let buggy = PlanTestSupport.repositoryRoot + "/Examples/traffic/user-profile-buggy-legacy-writer.jsonl"

    static func engine(clock: TrafficClock) throws -> MigrationEngine {
        try MigrationEngine(
            plan: try MigrationPlan.load(directory: plan), backend: InMemoryRecordBackend(),
            configuration: .init(clock: clock))
    }

    @Test
    func checkpointsGoByTheClockEvenWhenFullBatchesTriggerEveryCommit() throws {
        let clock = TrafficClock()
        let engine = try Self.engine(clock: clock)
        // Commits are triggered by full batches only (the interval is an hour), as under heavy traffic.
        let runner = ReplayRunner(
            engine: engine, clock: clock, trafficFile: Self.clean,
            configuration: .init(commitInterval: .seconds(3_600), maxBatch: 5, checkpointInterval: .zero))
        var checkpoints = 0
        try runner.run(try TrafficLineReader(path: Self.clean), checkpoint: { checkpoints += 1 })
        #expect(checkpoints > 100)
    }

    @Test
    func everyBreakerTransitionIsCheckpointedWhenItHappens() throws {
        let clock = TrafficClock()
        let engine = try Self.engine(clock: clock)
        let runner = ReplayRunner(
            engine: engine, clock: clock, trafficFile: Self.buggy,
            configuration: .init(checkpointInterval: .seconds(3_600)))
        var seen: [Int] = []
        try runner.run(
            try TrafficLineReader(path: Self.buggy), checkpoint: { seen.append(engine.breaker.transitionCount) })
        let transitions = engine.breaker.transitionCount
        try #require(transitions > 0)
        // One checkpoint right after each transition (none by the clock: its interval is an hour).
        #expect(seen == Array(1...transitions))
    }

    @Test
    func anOverlongKeyIsOneCountedBadLineAndTheReplayGoesOn() throws {
        let directory = try TemporaryDirectory()
        let traffic = directory.file("traffic.jsonl")
        let long = String(repeating: "k", count: 1_025)
        let lines = [
            #"{"op":"write","key":"a","v2_json":{"id":"a","email_address":"a@x"}}"#,
            #"{"op":"write","key":"\#(long)","v2_json":{"id":"b","email_address":"b@x"}}"#,
            // The key from the plan's key path (id) is too long: refused before anything is written.
            #"{"op":"write","v2_json":{"id":"\#(long)","email_address":"c@x"}}"#,
            #"{"op":"write","key":"d","v2_json":{"id":"d","email_address":"d@x"}}"#,
            #"{"op":"read","key":"d"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: traffic, atomically: true, encoding: .utf8)
        let clock = TrafficClock()
        let engine = try Self.engine(clock: clock)
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: traffic)
        try runner.run(try TrafficLineReader(path: traffic))
        #expect(engine.totals.badLines == 2)
        #expect(engine.totals.writes == 2)
        #expect(runner.badLines.map(\.line) == [2, 3])
        #expect(runner.badLines.allSatisfy { $0.reason.contains("1024") || $0.reason.contains("1025") })
        #expect(engine.gate.totals.matched == 1)
    }

    @Test
    func aLineOverTheLimitIsSkippedToItsNewlineAndCounted() throws {
        let directory = try TemporaryDirectory()
        let traffic = directory.file("traffic.jsonl")
        let huge =
            #"{"op":"write","key":"big","v2_json":{"id":"big","email_address":""#
            + String(repeating: "x", count: 300_000) + #""}}"#
        let lines = [
            #"{"op":"write","key":"a","v2_json":{"id":"a"}}"#, huge, #"{"op":"read","key":"a"}"#,
        ]
        // A UTF-8 byte order mark before line 1 is not part of it.
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data((lines.joined(separator: "\r\n") + "\r\n").utf8))
        try data.write(to: URL(fileURLWithPath: traffic))
        let reader = try TrafficLineReader(path: traffic, maxLineBytes: 64 * 1_024)
        guard case .text(let first) = reader.next() else {
            Issue.record("line 1 should be text")
            return
        }
        #expect(String(decoding: first, as: UTF8.self) == lines[0])
        guard case .tooLong(let bytes) = reader.next() else {
            Issue.record("line 2 should be over the limit")
            return
        }
        #expect(bytes >= huge.utf8.count)
        guard case .text(let third) = reader.next() else {
            Issue.record("line 3 should be text")
            return
        }
        #expect(String(decoding: third, as: UTF8.self) == lines[2])
        #expect(reader.lineNumber == 3)
        #expect(reader.next() == nil)

        let clock = TrafficClock()
        let engine = try Self.engine(clock: clock)
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: traffic)
        try runner.run(try TrafficLineReader(path: traffic, maxLineBytes: 64 * 1_024))
        #expect(engine.totals.badLines == 1)
        #expect(runner.badLines.first?.line == 2)
        #expect(engine.totals.writes == 1)
        #expect(engine.gate.totals.matched == 1)
    }

    @Test
    func aLineWithNoNewlineAtAllStaysWithinTheLimitInMemory() throws {
        // 8 MiB without a newline, read with a 1 MiB limit: one over-long line, and the buffer never holds it whole.
        let directory = try TemporaryDirectory()
        let traffic = directory.file("traffic.jsonl")
        try Data(repeating: 0x20, count: 8 << 20).write(to: URL(fileURLWithPath: traffic))
        let reader = try TrafficLineReader(path: traffic, maxLineBytes: 1 << 20)
        guard case .tooLong(let bytes) = reader.next() else {
            Issue.record("expected one over-long line")
            return
        }
        #expect(bytes == 8 << 20)
        #expect(reader.next() == nil)
    }

    @Test
    func aPlanThatRedactsItsKeyFieldNeverShowsAKeyInClear() throws {
        let original = try String(contentsOfFile: Self.plan + "/tandem.yaml", encoding: .utf8)
        let yaml = original.replacingOccurrences(of: "redact: [email]", with: "redact: [email, id]")
        try #require(yaml != original)
        let plan = try MigrationPlan.load(directory: try PlanTestSupport.planDirectory(yaml: yaml))
        let clock = TrafficClock()
        let engine = try MigrationEngine(
            plan: plan, backend: InMemoryRecordBackend(), configuration: .init(clock: clock))
        #expect(engine.redactor.redactsKeys)
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: Self.buggy)
        try runner.run(try TrafficLineReader(path: Self.buggy))
        let report = engine.report(source: "replay", startedAt: Date(), timeline: runner.timeline.points)
        try #require(!report.mismatches.isEmpty)
        let keys = report.mismatches.map(\.key) + report.fields.flatMap(\.sampleKeys)
        #expect(keys.allSatisfy { $0.hasPrefix("redacted:") })
        // Not one key of the traffic appears anywhere in the report.
        let traffic = try String(contentsOfFile: Self.buggy, encoding: .utf8)
        let trafficKeys = Set(
            traffic.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: #""key":""#) else { return nil }
                return String(line[range.upperBound...].prefix { $0 != "\"" })
            })
        let rendered = "\(report)"
        #expect(trafficKeys.count > 100)
        #expect(trafficKeys.filter { rendered.contains("\"\($0)\"") }.isEmpty)
    }
}
