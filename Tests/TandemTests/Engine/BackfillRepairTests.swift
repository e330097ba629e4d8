import Foundation
import Synchronization
import Tandem
import TandemProto
import TandemTesting
import Testing

/// Backfill and repair through the library (DESIGN 11): both directions, tombstones, unfillable records, dry runs,
/// and races with a live writer on the same SQLite files.
@Suite("Backfill and repair", .serialized)
struct BackfillRepairTests {
    static func plan() throws -> MigrationPlan {
        try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
    }

    /// A v2 user profile; `variant` changes every whitelisted value.
    static func v2(_ plan: MigrationPlan, key: String, variant: Int = 0) throws -> [UInt8] {
        let json = """
            {"id":"\(key)","profile":{"displayName":"name \(key) \(variant)","avatarUrl":"a"},
             "createdAt":"2025-03-01T10:00:0\(variant % 10).123Z","status":"\(variant % 2 == 0 ? "SUSPENDED" : "ACTIVE")",
             "emailAddress":"\(key)@example.com","lastSeenMs":"\(1000 + variant)","labels":["a","\(variant)"],"locale":"en"}
            """
        return try DynamicMessage(jsonString: json, descriptor: plan.v2Message, schema: plan.v2.schema)
            .serializedBytes()
    }

    /// A legacy v1 user profile as the legacy writer stored it.
    static func v1(_ plan: MigrationPlan, key: String, variant: Int = 0) throws -> [UInt8] {
        let json = """
            {"id":"\(key)","displayName":"legacy \(key)","createdMs":"\(1_740_823_200_123 + variant)",
             "status":"\(variant % 3 == 0 ? "DISABLED" : "ACTIVE")","email":"\(key)@example.com","lastSeenMs":"5",
             "tags":["x","\(variant)"]}
            """
        return try DynamicMessage(jsonString: json, descriptor: plan.v1Message, schema: plan.v1.schema)
            .serializedBytes()
    }

    static func key(_ index: Int) -> String { "user-" + String(format: "%05d", index) }

    /// Rows written straight into one store (seq 1), as data that predates the dual write.
    static func seed(_ backend: any RecordBackend, side: DualWriter.Side, _ rows: [(String, [UInt8])]) throws {
        let writes = rows.map {
            ConditionalWrite(
                side: side, record: StoredRecord(key: $0.0, payload: $0.1, seq: 1, writtenAt: 0), condition: .absent)
        }
        #expect(try backend.conditionalWrite(writes).allSatisfy { $0 == .written })
    }

    /// Verifies the stores in full: every pair must match (no mismatch, nothing in flight).
    static func verify(_ plan: MigrationPlan, _ backend: any RecordBackend) throws -> Report {
        let engine = try MigrationEngine(
            plan: plan, backend: backend, configuration: .init(writer: .init(mode: backend.mode, exclusive: false)))
        let runner = VerifyRunner(engine: engine, configuration: .init(pageSize: 100))
        try runner.run()
        return engine.report(source: "verify", startedAt: Date(), timeline: [])
    }

    @Test(arguments: BackendKind.allCases)
    func v1ToV2BuildsRecordsThatVerifyAndNeverRevivesADeletedKey(kind: BackendKind) throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(kind)
        try Self.seed(
            fixture.backend, side: .shadow,
            try (0..<300).map { (Self.key($0), try Self.v1(plan, key: Self.key($0), variant: $0)) })
        // One key was deleted through the dual writer after the legacy data was copied: its tombstone stands.
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(mode: kind.mode, exclusive: false))
        )
        try engine.apply([.delete(key: Self.key(7))])
        try Self.seed(fixture.backend, side: .shadow, [(Self.key(7), try Self.v1(plan, key: Self.key(7)))])

        let backfiller = try Backfiller(
            engine: engine, configuration: .init(direction: .v1ToV2, batchSize: 64))
        try backfiller.run()
        #expect(backfiller.job.complete)
        #expect(backfiller.job.written == 299)
        #expect(backfiller.job.tombstoned == 1)
        #expect(backfiller.job.failed == 0)
        #expect(try fixture.backend.read(Self.key(7), from: .primary) == nil)
        // The built pair carries the shadow row's seq, so it compares as one write.
        let pair = try fixture.backend.readPair(Self.key(3))
        #expect(pair.primary?.seq == pair.shadow?.seq)

        // Without the resurrected key the stores verify clean.
        try engine.apply([.delete(key: Self.key(7))])
        let report = try Self.verify(plan, fixture.backend)
        #expect(report.totals.compared == 299)
        #expect(report.totals.mismatched == 0)
        #expect(report.totals.inFlight == 0)
    }

    @Test(arguments: BackendKind.allCases)
    func v2ToV1FillsTheShadowAndADryRunWritesNothing(kind: BackendKind) throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(kind)
        try Self.seed(
            fixture.backend, side: .primary,
            try (0..<250).map { (Self.key($0), try Self.v2(plan, key: Self.key($0), variant: $0)) })
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(mode: kind.mode, exclusive: false))
        )

        let dry = try Backfiller(engine: engine, configuration: .init(direction: .v2ToV1, batchSize: 50, dryRun: true))
        try dry.run()
        #expect(dry.job.written == 250)
        #expect(try fixture.backend.counts().shadow == 0)

        let backfiller = try Backfiller(engine: engine, configuration: .init(direction: .v2ToV1, batchSize: 50))
        var checkpoints: [String?] = []
        try backfiller.run(checkpoint: { checkpoints.append($0) })
        #expect(backfiller.job.written == 250)
        #expect(checkpoints.last == Self.key(249))
        let report = try Self.verify(plan, fixture.backend)
        #expect(report.totals.compared == 250)
        #expect(report.totals.mismatched == 0)
        #expect(report.totals.inFlight == 0)

        // A rerun finds nothing to fill; a run resumed after a key starts after it.
        let again = try Backfiller(engine: engine, configuration: .init(direction: .v2ToV1))
        try again.run(after: Self.key(199))
        #expect(again.job.scanned == 50)
        #expect(again.job.unchanged == 50)
        #expect(again.job.written == 0)
        #expect(again.job.resumed)
    }

    @Test func aRecordThatDoesNotCheckIsListedWithItsKeyAndNotWritten() throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(.sqliteOutbox)
        // A payload that does not decode cannot be built; an enum number neither schema declares carries through (both
        // enums are open, so v2 status 9 projects to v1 status 9).
        var bad = try DynamicMessage(
            decoding: try Self.v1(plan, key: "bad-enum"), as: plan.v1Message, schema: plan.v1.schema)
        try bad.set(named: "status", to: .enumValue(9))
        try Self.seed(
            fixture.backend, side: .shadow,
            [("bad-enum", bad.serializedBytes()), ("garbage", [0xFF, 0xFF]), ("good", try Self.v1(plan, key: "good"))])
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false)))
        let backfiller = try Backfiller(engine: engine, configuration: .init(direction: .v1ToV2))
        try backfiller.run()
        #expect(backfiller.job.written == 2)
        #expect(backfiller.job.failed == 1)
        #expect(backfiller.job.unresolved == 1)
        #expect(backfiller.job.entries.map(\.key) == ["garbage"])
        #expect(backfiller.job.entries.first?.action == .unfillable)
        #expect(backfiller.job.entries.first?.reason?.contains("does not decode") == true)
        #expect(try fixture.backend.read("garbage", from: .primary) == nil)
        #expect(try fixture.backend.read("bad-enum", from: .primary) != nil)
        #expect(try fixture.backend.read("good", from: .primary) != nil)
    }

    @Test func aRerunMeetsEveryEarlierFailureAgain() throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(.memoryOutbox)
        let keys = (0..<40).map(Self.key)
        try Self.seed(
            fixture.backend, side: .shadow,
            try keys.map { ($0, $0 == keys[12] ? [0xFF, 0xFF] : try Self.v1(plan, key: $0)) })
        let engine = try MigrationEngine(plan: plan, backend: fixture.backend)
        let backfiller = try Backfiller(engine: engine, configuration: .init(direction: .v1ToV2, batchSize: 5))
        var saved: [String?] = []
        try backfiller.run(checkpoint: { saved.append($0) })
        // The position never moves past the key before the first failure, so a resumed run lists it again.
        #expect(backfiller.position == keys[11])
        #expect(saved.last == keys[11])
        let rerun = try Backfiller(engine: engine, configuration: .init(direction: .v1ToV2, batchSize: 5))
        try rerun.run(after: backfiller.position)
        #expect(rerun.job.failed == 1)
        #expect(rerun.job.entries.first?.key == keys[12])
        #expect(rerun.job.written == 0)
    }

    @Test func aFailureAtARedactedFieldNamesItsPathNotItsValue() throws {
        let plan = try PlanTestSupport.narrowPlan(
            v1Fields: "string id = 1; int64 balance = 2;", v2Fields: "string id = 1; int32 balance = 2;",
            rest: "whitelist:\n  - field: id\n  - field: balance\nredact: [balance]\n")
        var record = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        try record.set(named: "id", to: .string("k"))
        try record.set(named: "balance", to: .int64(1_099_511_627_776))
        let fixture = try BackendFixture(.memoryOutbox)
        try Self.seed(fixture.backend, side: .shadow, [("k", record.serializedBytes())])
        let backfiller = try Backfiller(
            engine: try MigrationEngine(plan: plan, backend: fixture.backend), configuration: .init(direction: .v1ToV2))
        try backfiller.run()
        let reason = try #require(backfiller.job.entries.first?.reason)
        #expect(reason.hasPrefix("balance:"))
        #expect(!reason.contains("1099511627776"))
    }

    @Test func repairRewritesDivergentShadowRowsAndListsWhatItCannotTouch() throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(.sqliteOutbox)
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false)))
        let keys = (0..<200).map(Self.key)
        try engine.apply(try keys.map { try engine.prepareWrite(key: $0, v2: try Self.v2(plan, key: $0)) })
        // 1% diverge by hand, one key exists only in the shadow, one shadow row is missing.
        for index in [3, 150] {
            let row = try #require(try fixture.backend.read(keys[index], from: .shadow))
            _ = try fixture.backend.conditionalWrite(
                ConditionalWrite(
                    side: .shadow,
                    record: StoredRecord(
                        key: row.key, payload: try Self.v1(plan, key: "other"), seq: row.seq, writtenAt: 0),
                    condition: .seq(row.seq)))
        }
        try Self.seed(fixture.backend, side: .shadow, [("orphan", try Self.v1(plan, key: "orphan"))])
        try engine.apply([.delete(key: keys[9])])
        let lonely = "lonely"
        try Self.seed(fixture.backend, side: .primary, [(lonely, try Self.v2(plan, key: lonely))])
        #expect(try Self.verify(plan, fixture.backend).totals.mismatched == 4)

        let repairEngine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false)))
        let dry = Repairer(engine: repairEngine, configuration: .init(dryRun: true))
        try dry.repairAll()
        #expect(dry.job.written == 3)
        #expect(dry.job.entries.filter { $0.action == .wouldRepair }.count == 3)
        #expect(try Self.verify(plan, fixture.backend).totals.mismatched == 4)

        let repairer = Repairer(
            engine: try MigrationEngine(
                plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false))))
        try repairer.repairAll()
        #expect(repairer.job.written == 3)
        #expect(repairer.job.missingInPrimary == 1)
        #expect(repairer.job.unresolved == 1)
        let repaired = repairer.job.entries.filter { $0.action == .repaired }
        #expect(Set(repaired.map(\.key)) == [keys[3], keys[150], lonely])
        #expect(repaired.allSatisfy { $0.newHash?.count == 64 })
        #expect(repaired.first { $0.key == lonely }?.oldHash == nil)
        #expect(repaired.first { $0.key == keys[3] }?.oldHash?.count == 64)
        #expect(repairer.job.entries.contains { $0.key == "orphan" && $0.action == .missingInPrimary })
        #expect(try fixture.backend.read("orphan", from: .shadow) != nil)
        let after = try Self.verify(plan, fixture.backend)
        #expect(after.totals.mismatched == 1)
        #expect(after.fields.map(\.kind) == [.recordMissingInPrimary])

        // Named keys: a matching key is left alone, an unknown one is counted as absent.
        let named = Repairer(
            engine: try MigrationEngine(
                plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false))))
        try named.repair(keys: [keys[0], "nobody", keys[0]])
        #expect(named.job.scanned == 2)
        #expect(named.job.unchanged == 1)
        #expect(named.job.absent == 1)
        #expect(named.job.written == 0)
    }

    @Test func aPrimaryValueTheV1FieldCannotHoldIsUnrepairable() throws {
        let plan = try Self.plan()
        let fixture = try BackendFixture(.sqliteOutbox)
        // A Timestamp whose milliseconds overflow int64: the projection cannot represent it (DESIGN 3).
        var record = try DynamicMessage(
            decoding: try Self.v2(plan, key: "huge"), as: plan.v2Message, schema: plan.v2.schema)
        var timestamp = try #require(record.get(named: "created_at")?.messageValue)
        try timestamp.set(named: "seconds", to: .int64(Int64.max / 10))
        try record.set(named: "created_at", to: .message(timestamp))
        try Self.seed(fixture.backend, side: .primary, [("huge", record.serializedBytes())])
        let engine = try MigrationEngine(
            plan: plan, backend: fixture.backend, configuration: .init(writer: .init(exclusive: false)))
        let repairer = Repairer(engine: engine)
        try repairer.repair(keys: ["huge"])
        #expect(repairer.job.failed == 1)
        #expect(repairer.job.entries.first?.action == .unrepairable)
        #expect(repairer.job.entries.first?.reason?.contains("created_ms") == true)
        #expect(try fixture.backend.read("huge", from: .shadow) == nil)

        // Backfill refuses it the same way.
        let backfiller = try Backfiller(engine: engine, configuration: .init(direction: .v2ToV1))
        try backfiller.run()
        #expect(backfiller.job.failed == 1)
        #expect(backfiller.job.written == 0)
    }

    /// A live writer rewrites and deletes keys while backfill and repair run on their own connections to the same
    /// files: nothing they write may outlive a newer write or a deletion.
    @Test(arguments: [DualWriteMode.outbox, .atomic])
    func backfillAndRepairBesideALiveWriterNeverRevertANewerWrite(mode: DualWriteMode) throws {
        let plan = try Self.plan()
        let directory = try TemporaryDirectory()
        let primary = directory.file("primary.sqlite")
        let shadow = directory.file("shadow.sqlite")
        let writerBackend = try SQLiteRecordBackend(primaryPath: primary, shadowPath: shadow, mode: mode)
        let writer = try MigrationEngine(
            plan: plan, backend: writerBackend, configuration: .init(writer: .init(mode: mode)))
        let count = 200
        let rounds = 3
        let keys = (0..<count * rounds).map(Self.key)
        let jobBackend = try SQLiteRecordBackend(primaryPath: primary, shadowPath: shadow, mode: mode, exclusive: false)
        let jobEngine = try MigrationEngine(
            plan: plan, backend: jobBackend, configuration: .init(writer: .init(mode: mode, exclusive: false)))
        // The keys the writer works on: those of the current round.
        let current = Mutex(0..<count)
        let done = Mutex(false)
        let writes = Thread {
            var generator = SystemRandomNumberGenerator()
            var variant = 1
            while !done.withLock({ $0 }) {
                let key = keys[Int.random(in: current.withLock { $0 }, using: &generator)]
                variant += 1
                do {
                    if variant % 3 == 0 {
                        try writer.apply([.delete(key: key)])
                    } else {
                        try writer.apply([
                            try writer.prepareWrite(key: key, v2: try Self.v2(plan, key: key, variant: variant))
                        ])
                    }
                } catch {
                    Issue.record("writer: \(error)")
                    return
                }
            }
        }
        var written = 0
        for round in 0..<rounds {
            // Data from before the dual write: primary rows without shadow rows, backfilled while the writer
            // rewrites and deletes them.
            let range = (round * count)..<((round + 1) * count)
            try Self.seed(jobBackend, side: .primary, try range.map { (keys[$0], try Self.v2(plan, key: keys[$0])) })
            current.withLock { $0 = range }
            if round == 0 { writes.start() }
            let backfiller = try Backfiller(engine: jobEngine, configuration: .init(direction: .v2ToV1, batchSize: 8))
            try backfiller.run(after: round == 0 ? nil : keys[round * count - 1])
            written += backfiller.job.written
        }
        // Diverge a few shadow rows as a buggy legacy writer would, then repair everything while writes go on.
        for key in keys.prefix(40) {
            if let row = try jobBackend.read(key, from: .shadow) {
                _ = try jobBackend.conditionalWrite(
                    ConditionalWrite(
                        side: .shadow,
                        record: StoredRecord(
                            key: key, payload: try Self.v1(plan, key: "x"), seq: row.seq, writtenAt: 0),
                        condition: .seq(row.seq)))
            }
        }
        let repairer = Repairer(engine: jobEngine, configuration: .init(pageSize: 16))
        try repairer.repairAll()
        done.withLock { $0 = true }
        while !writes.isFinished { usleep(1_000) }
        #expect(written > 0)
        #expect(repairer.job.written > 0)

        // Every key the writer touched is as the writer left it; a key it deleted has no row on either side. Repair
        // the few untouched keys whose planted divergence the writer did not overwrite, then everything verifies.
        writer.writer.waitForShadowWrites()
        for key in keys {
            let pair = try jobBackend.readPair(key)
            if pair.primary == nil { #expect(pair.shadow == nil, "\(key): a deleted key came back in the shadow") }
            if let p = pair.primary, let s = pair.shadow { #expect(p.seq == s.seq, "\(key): \(p.seq) vs \(s.seq)") }
        }
        let final = Repairer(
            engine: try MigrationEngine(
                plan: plan, backend: jobBackend, configuration: .init(writer: .init(mode: mode, exclusive: false))))
        try final.repairAll()
        let report = try Self.verify(plan, jobBackend)
        #expect(report.totals.mismatched == 0, "\(report.fields.map { "\($0.path) \($0.kind) \($0.count)" })")
        #expect(report.totals.inFlight == 0)
    }
}
