import Foundation
import TandemProto
import Testing

@testable import Tandem

/// The engine's write and compare paths and the read path, on the user-profile example plan with real files.
@Suite("Migration engine")
struct EngineTests {
    static let planDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Migrations/user-profile").path

    final class Fixture {
        let directory: URL
        let engine: MigrationEngine
        let plan: MigrationPlan

        init(samplesPerGroup: Int = 10, gate: (inout String) -> Void = { _ in }) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            plan = try MigrationPlan.load(directory: EngineTests.planDirectory)
            engine = try MigrationEngine(
                plan: plan, primaryPath: directory.appendingPathComponent("p.sqlite").path,
                shadowPath: directory.appendingPathComponent("s.sqlite").path)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func v2(_ key: String, name: String) throws -> [UInt8] {
            try DynamicMessage(
                jsonString:
                    #"{"id":"\#(key)","profile":{"displayName":"\#(name)"},"status":"ACTIVE","emailAddress":"x@example.com"}"#,
                descriptor: plan.v2Message, schema: plan.v2.schema
            ).serializedBytes()
        }

        func v1(_ key: String, name: String) throws -> [UInt8] {
            try DynamicMessage(
                jsonString: #"{"id":"\#(key)","displayName":"\#(name)","status":"ACTIVE","email":"x@example.com"}"#,
                descriptor: plan.v1Message, schema: plan.v1.schema
            ).serializedBytes()
        }
    }

    @Test func undecodableV2IsRefusedAndNothingIsWritten() throws {
        let fixture = try Fixture()
        #expect {
            try fixture.engine.prepareWrite(key: "k1", v2: [0x0A, 0xFF])
        } throws: { error in
            (error as? EngineError)?.code == .undecodablePrimary && (error as? EngineError)?.key == "k1"
        }
        #expect(try fixture.engine.writer.readPair("k1") == RecordPair(key: "k1", primary: nil, shadow: nil))
    }

    @Test func keyComesFromThePlanKeyPathWhenNotGiven() throws {
        let fixture = try Fixture()
        let op = try fixture.engine.prepareWrite(key: nil, v2: try fixture.v2("u7", name: "Ada"))
        #expect(op.key == "u7")
        let empty = DynamicMessage(descriptor: fixture.plan.v2Message, schema: fixture.plan.v2.schema)
            .serializedBytes()
        #expect(throws: EngineError.self) { try fixture.engine.prepareWrite(key: nil, v2: empty) }
    }

    @Test func projectedShadowMatchesAndLegacyDivergenceIsReported() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([
            try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada")),
            try fixture.engine.prepareWrite(
                key: "k2", v2: try fixture.v2("k2", name: "Grace"), legacyV1: try fixture.v1("k2", name: "Grace")),
            try fixture.engine.prepareWrite(
                key: "k3", v2: try fixture.v2("k3", name: "Linus"), legacyV1: try fixture.v1("k3", name: "Linux")),
        ])
        #expect(try fixture.engine.compare(key: "k1")?.outcome == .match)
        #expect(try fixture.engine.compare(key: "k2")?.outcome == .match)
        let divergent = try #require(try fixture.engine.compare(key: "k3"))
        #expect(divergent.outcome == .mismatch)
        #expect(divergent.diffs.map(\.path) == ["display_name"])
        #expect(try fixture.engine.compare(key: "absent") == nil)
        #expect(fixture.engine.gate.totals.compared == 3)
        #expect(fixture.engine.mismatchGroups.map(\.path) == ["display_name"])
        #expect(fixture.engine.mismatchSamples.map(\.key) == ["k3"])
    }

    @Test func undecodableLegacyPayloadIsStoredAsGivenAndReported() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([
            try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"), legacyV1: [0xFF, 0xFF])
        ])
        #expect(try fixture.engine.writer.read("k1", from: .shadow)?.payload == [0xFF, 0xFF])
        let result = try #require(try fixture.engine.compare(key: "k1"))
        #expect(result.diffs.first?.kind == .undecodable)
        #expect(result.diffs.first?.path == "$")
    }

    @Test func rowsOfDifferentWritesCountInFlightNotMismatch() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let pair = try fixture.engine.writer.readPair("k1")
        let stale = try #require(pair.shadow)
        var newer = try #require(pair.primary)
        newer.seq += 1
        let result = fixture.engine.record(pair: RecordPair(key: "k1", primary: newer, shadow: stale))
        #expect(result?.outcome == .inFlight)
        #expect(fixture.engine.gate.totals.inFlight == 1)
        #expect(fixture.engine.gate.totals.mismatched == 0)
    }

    @Test func aComparisonGivenOneRowReadsOnlyTheOtherWhenBothCarryTheSameWrite() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        var read = try #require(try fixture.engine.writer.read("k1", from: .primary))
        // The row handed over is the one compared: a different payload under the same seq is a mismatch, which a
        // re-read of the primary would not see.
        read.payload = try fixture.v2("k1", name: "Bob")
        let result = try #require(try fixture.engine.compare(key: "k1", row: read, from: .primary))
        #expect(result.outcome == .mismatch)
        #expect(result.diffs.map(\.path) == ["display_name"])
        // The same from the shadow side: a shadow row handed over is compared with the primary read now.
        var shadow = try #require(try fixture.engine.writer.read("k1", from: .shadow))
        shadow.payload = try fixture.v1("k1", name: "Cy")
        let fromShadow = try #require(try fixture.engine.compare(key: "k1", row: shadow, from: .shadow))
        #expect(fromShadow.diffs.map(\.path) == ["display_name"])
    }

    @Test func aComparisonGivenAStaleRowReadsBothAgain() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let stale = try #require(try fixture.engine.writer.read("k1", from: .primary))
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Bob"))])
        // A write landed between the service's read and the comparison: the rows are read again and match.
        #expect(try fixture.engine.compare(key: "k1", row: stale, from: .primary)?.outcome == .match)
        // No row at read time, one now: read again, never reported missing.
        #expect(try fixture.engine.compare(key: "k1", row: nil, from: .primary)?.outcome == .match)
        #expect(try fixture.engine.compare(key: "k1", row: nil, from: .shadow)?.outcome == .match)
        #expect(fixture.engine.gate.totals.mismatched == 0)
        #expect(fixture.engine.gate.totals.inFlight == 0)
    }

    @Test func redactedValuesNeverReachSamples() throws {
        let fixture = try Fixture()
        let v2 = try DynamicMessage(
            jsonString: #"{"id":"k1","emailAddress":"secret@example.com"}"#,
            descriptor: fixture.plan.v2Message, schema: fixture.plan.v2.schema
        ).serializedBytes()
        let v1 = try DynamicMessage(
            jsonString: #"{"id":"k1","email":"other@example.com"}"#,
            descriptor: fixture.plan.v1Message, schema: fixture.plan.v1.schema
        ).serializedBytes()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: v2, legacyV1: v1)])
        let result = try #require(try fixture.engine.compare(key: "k1"))
        #expect(result.diffs.map(\.path) == ["email"])
        let text = "\(fixture.engine.mismatchSamples) \(fixture.engine.mismatchGroups)"
        #expect(!text.contains("example.com"))
        let report = fixture.engine.report(source: "test", startedAt: Date(), timeline: [])
        #expect(!"\(report)".contains("example.com"))
        #expect(report.mismatches.first?.diffs.first?.v1?.stringValue?.hasPrefix("redacted:") == true)
    }

    @Test func readerAnswersFromTheAuthoritativeStoreOfTheStage() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let reader = ShadowReader(engine: fixture.engine, stage: .shadow)
        let legacy = try #require(try reader.read("k1"))
        #expect(legacy.payload == (try fixture.engine.writer.read("k1", from: .shadow))?.payload)
        reader.setStage(.live)
        let primary = try #require(try reader.read("k1"))
        #expect(primary.payload == (try fixture.engine.writer.read("k1", from: .primary))?.payload)
        fixture.engine.breaker.forceOpen()
        #expect(try reader.read("k1")?.payload == legacy.payload)
        #expect(fixture.engine.totals.reads == 3)
    }

    @Test func liveReadsOutsideTheCanaryAnswerFromTheShadow() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let shadow = try fixture.engine.writer.read("k1", from: .shadow)
        let primary = try fixture.engine.writer.read("k1", from: .primary)
        let none = ShadowReader(engine: fixture.engine, stage: .live, router: try Router(canaryPercent: 0))
        #expect(try none.read("k1")?.payload == shadow?.payload)
        let all = ShadowReader(engine: fixture.engine, stage: .live, router: try Router(canaryPercent: 100))
        #expect(try all.read("k1")?.payload == primary?.payload)
        // Past `live` the router no longer decides.
        none.setStage(.rampdown)
        #expect(try none.read("k1")?.payload == primary?.payload)
    }

    @Test func fullQueueShedsAndCountsWithoutBlocking() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let reader = ShadowReader(engine: fixture.engine, stage: .shadow, configuration: .init(queueCapacity: 2))
        for _ in 0..<10 { _ = try reader.read("k1") }
        #expect(fixture.engine.gate.totals.shed == 8)
        #expect(fixture.engine.gate.totals.compared == 0)
    }

    /// `shadow` reads answer from the shadow, `live` reads from the primary; both hand their row to the comparator.
    @Test(arguments: [MigrationStage.shadow, .live])
    func backgroundComparatorDrainsOnShutdown(stage: MigrationStage) async throws {
        let fixture = try Fixture()
        try fixture.engine.apply(
            (0..<50).map { i in
                try fixture.engine.prepareWrite(key: "k\(i)", v2: try fixture.v2("k\(i)", name: "N\(i)"))
            })
        let reader = ShadowReader(engine: fixture.engine, stage: stage)
        let task = Task { await reader.run() }
        for i in 0..<50 { _ = try reader.read("k\(i)") }
        reader.shutdown()
        await task.value
        #expect(fixture.engine.gate.totals.compared == 50)
        #expect(fixture.engine.gate.totals.mismatched == 0)
    }

    @Test func stagesWithoutComparisonsQueueNothing() throws {
        let fixture = try Fixture()
        try fixture.engine.apply([try fixture.engine.prepareWrite(key: "k1", v2: try fixture.v2("k1", name: "Ada"))])
        let reader = ShadowReader(engine: fixture.engine, stage: .dualwrite, configuration: .init(queueCapacity: 1))
        for _ in 0..<5 { _ = try reader.read("k1") }
        #expect(fixture.engine.gate.totals.shed == 0)
    }

    @Test func concurrentWritesAndComparisonsOfTheSameKeysNeverMismatch() async throws {
        let fixture = try Fixture()
        let engine = fixture.engine
        let keys = (0..<8).map { "k\($0)" }
        try engine.apply(try keys.map { try engine.prepareWrite(key: $0, v2: try fixture.v2($0, name: "start")) })
        let payloads = try (0..<40).map { round in try keys.map { try fixture.v2($0, name: "v\(round)") } }
        await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in stride(from: writer, to: 40, by: 4) {
                        for (index, key) in keys.enumerated() {
                            _ = try await engine.write(try engine.prepareWrite(key: key, v2: payloads[round][index]))
                        }
                    }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<60 {
                        for key in keys { try engine.compare(key: key) }
                    }
                }
            }
        }
        let totals = engine.gate.totals
        #expect(totals.mismatched == 0, "\(engine.mismatchSamples)")
        #expect(totals.compared + totals.inFlight == 4 * 60 * keys.count)
    }
}

extension EngineTests {
    /// Deferred shadow writes (the default) leave a moment where the primary holds a write and the shadow does not
    /// yet: a comparison in that moment waits for the writer's relay and compares the pair, never reports it missing.
    @Test func comparisonsRightAfterDeferredWritesMatch() async throws {
        let fixture = try Fixture()
        for i in 0..<200 {
            let key = "u\(i)"
            let op = try fixture.engine.prepareWrite(key: key, v2: try fixture.v2(key, name: "Ada \(i)"))
            try await fixture.engine.write(op)
            let comparison = try fixture.engine.compare(key: key)
            #expect(comparison?.outcome == .match, "\(key): \(String(describing: comparison))")
        }
        #expect(fixture.engine.gate.totals.mismatched == 0 && fixture.engine.gate.totals.inFlight == 0)
    }
}
