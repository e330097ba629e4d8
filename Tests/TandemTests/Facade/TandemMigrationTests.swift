import Foundation
import Logging
import ServiceLifecycle
import SwiftProtobuf
import TandemTesting
import Testing

@testable import Tandem

// Generated/*.pb.swift are protoc-gen-swift 1.39.0's output for Migrations/user-profile, unmodified:
//   cd Migrations/user-profile && ../../.venv-oracle/bin/python -m grpc_tools.protoc \
//     --plugin=protoc-gen-swift=/tmp/swift-protobuf/.build/release/protoc-gen-swift \
//     --swift_opt=Visibility=Internal --swift_out=../../Tests/TandemTests/Facade/Generated -I . v1.proto v2.proto
typealias ProfileV2 = Acme_User_V2_UserProfile
typealias ProfileV1 = Acme_User_V1_UserProfile
typealias ProfileMigration = TandemMigration<ProfileV2, ProfileV1>

/// The typed facade on the user-profile example plan, with generated messages and real SQLite files.
@Suite("TandemMigration facade")
struct TandemMigrationTests {
    static let planDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Migrations/user-profile").path

    final class Fixture {
        let directory: URL
        let metrics = CountingMetrics()
        let migration: ProfileMigration

        init(_ configuration: TandemMigrationConfiguration = .init()) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("facade-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = configuration
            configuration.metricsFactory = metrics
            primaryPath = directory.appendingPathComponent("v2.sqlite").path
            shadowPath = directory.appendingPathComponent("v1.sqlite").path
            migration = try ProfileMigration(
                planDirectory: TandemMigrationTests.planDirectory, primaryPath: primaryPath, shadowPath: shadowPath,
                configuration: configuration)
        }

        let primaryPath: String
        let shadowPath: String

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    static func profile(_ id: String, name: String, labels: [String] = ["beta"]) -> ProfileV2 {
        var profile = ProfileV2()
        profile.id = id
        profile.profile.displayName = name
        profile.profile.avatarURL = "https://example.com/\(id).png"
        profile.createdAt = Google_Protobuf_Timestamp(seconds: 1_700_000_000, nanos: 123_000_000)
        profile.status = .suspended
        profile.emailAddress = "\(id)@example.com"
        profile.lastSeenMs = 42
        profile.labels = labels
        profile.locale = "fr-CH"
        return profile
    }

    /// What the legacy code path writes for the same profile: v1 fields, with `displayName` as given.
    static func legacy(_ id: String, name: String) -> ProfileV1 {
        var legacy = ProfileV1()
        legacy.id = id
        legacy.displayName = name
        legacy.createdMs = 1_700_000_000_123
        legacy.status = .disabled
        legacy.email = "\(id)@example.com"
        legacy.lastSeenMs = 42
        legacy.tags = ["beta"]
        return legacy
    }

    @Test func writeThenReadRoundTripsTheV2RecordAndTheLegacyProjection() async throws {
        let fixture = try Fixture(.init(stage: .live))
        let written = Self.profile("u1", name: "Ada")
        let receipt = try await fixture.migration.write(written)
        #expect(receipt.key == "u1")
        let primary = try #require(try fixture.migration.read(key: "u1"))
        #expect(primary.store == .primary)
        #expect(primary.v2Record == written)
        #expect(primary.stored.seq == receipt.seq)

        fixture.migration.stage = .shadow
        let legacy = try #require(try fixture.migration.read(key: "u1"))
        #expect(legacy.store == .shadow)
        #expect(legacy.stored.seq == receipt.seq)
        #expect(legacy.legacyRecord == Self.legacy("u1", name: "Ada"))
        #expect(legacy.v2Record == nil)
        let upgraded = legacy.v2 { v1 in
            var v2 = ProfileV2()
            v2.id = v1.id
            v2.profile.displayName = v1.displayName
            return v2
        }
        #expect(upgraded.profile.displayName == "Ada")
        #expect(try fixture.migration.read(key: "absent") == nil)
        #expect(fixture.migration.engine.totals.writes == 1)
        #expect(fixture.metrics.value("tandem_reads_total", [("store", "primary")]) == 1)
        #expect(fixture.metrics.value("tandem_reads_total", [("store", "shadow")]) == 2)
    }

    @Test(arguments: [
        (MigrationStage.off, MigrationStage.Store.shadow), (.dualwrite, .shadow), (.shadow, .shadow),
        (.live, .primary), (.rampdown, .primary), (.complete, .primary),
    ])
    func stageDecidesTheAuthoritativeStore(stage: MigrationStage, store: MigrationStage.Store) async throws {
        let fixture = try Fixture(.init(stage: stage))
        try await fixture.migration.write(Self.profile("u1", name: "Ada"))
        let record = try #require(try fixture.migration.read(key: "u1"))
        #expect(record.store == store)
        // Only the comparing stages queue a comparison; nothing runs the queue here, so it stays queued.
        #expect(fixture.migration.consistency.totals.shed == 0)
    }

    @Test func liveReadsTheCanaryShareFromV2AndTheRestFromLegacy() async throws {
        let fixture = try Fixture(.init(stage: .live, canaryPercent: 30))
        let keys = (0..<200).map { "u\($0)" }
        for key in keys { try await fixture.migration.write(Self.profile(key, name: key)) }
        var fromV2 = 0
        for key in keys {
            let record = try #require(try fixture.migration.read(key: key))
            #expect((record.store == .primary) == (fixture.migration.route(key: key) == .v2))
            if record.store == .primary { fromV2 += 1 }
        }
        #expect((30...90).contains(fromV2))
    }

    @Test func openBreakerSendsReadsAndRoutesToLegacyUntilReset() async throws {
        let fixture = try Fixture(.init(stage: .live))
        let keys = (0..<20).map { "u\($0)" }
        for key in keys { try await fixture.migration.write(Self.profile(key, name: key)) }
        #expect(keys.allSatisfy { fixture.migration.route(key: $0) == .v2 })
        #expect(try fixture.migration.read(key: "u3")?.store == .primary)

        fixture.migration.engine.breaker.forceOpen()
        #expect(fixture.migration.breakerState == .forcedOpen)
        #expect(keys.allSatisfy { fixture.migration.route(key: $0) == .legacy })
        for key in keys {
            let record = try #require(try fixture.migration.read(key: key))
            #expect(record.store == .shadow)
            #expect(record.legacyRecord?.displayName == key)
        }
        fixture.migration.stage = .rampdown
        #expect(try fixture.migration.read(key: "u3")?.store == .shadow)
        fixture.migration.stage = .complete
        #expect(try fixture.migration.read(key: "u3")?.store == .primary, "complete no longer writes legacy")

        fixture.migration.stage = .live
        fixture.migration.engine.breaker.reset()
        #expect(try fixture.migration.read(key: "u3")?.store == .primary)
        fixture.migration.shutdown()
        var transitions: [BreakerState] = []
        try await fixture.migration.run()
        for await event in fixture.migration.events {
            if case .breakerTransition(let transition) = event { transitions.append(transition.to) }
        }
        #expect(transitions == [.forcedOpen, .closed])
    }

    @Test func comparisonsAndMismatchesAreCountedByResultAndKind() async throws {
        let fixture = try Fixture(.init(stage: .shadow))
        for i in 0..<20 { try await fixture.migration.write(Self.profile("m\(i)", name: "N\(i)")) }
        for i in 0..<5 {
            try await fixture.migration.write(
                Self.profile("d\(i)", name: "Linus"), legacy: Self.legacy("d\(i)", name: "Linux"))
        }
        let run = Task { try await fixture.migration.run() }
        for i in 0..<20 { _ = try fixture.migration.read(key: "m\(i)") }
        for i in 0..<5 { _ = try fixture.migration.read(key: "d\(i)") }
        fixture.migration.shutdown()
        try await run.value

        // The engine counts these in tandem_writes_total, tandem_comparisons_total{result} and
        // tandem_mismatches_total{kind} on the process-wide metrics system; its totals are what they count.
        #expect(fixture.migration.engine.totals.writes == 25)
        #expect(fixture.metrics.value("tandem_reads_total", [("store", "shadow")]) == 25)
        let consistency = fixture.migration.consistency
        #expect(consistency.totals.compared == 25)
        #expect(consistency.totals.matched == 20)
        #expect(consistency.totals.mismatched == 5)
        #expect(consistency.totals.inFlight == 0)
        #expect(consistency.totals.shed == 0)
        #expect(consistency.consistency == 0.8)
        #expect(consistency.interval.lower < 0.8 && consistency.interval.upper > 0.8)
        #expect(fixture.migration.mismatchGroups.map(\.path) == ["display_name"])
        #expect(fixture.migration.mismatchGroups.map(\.kind) == [.changed])
    }

    @Test func tinyQueueShedsAndCountsWithoutBlocking() async throws {
        let fixture = try Fixture(.init(stage: .shadow, queueCapacity: 2))
        try await fixture.migration.write(Self.profile("u1", name: "Ada"))
        for _ in 0..<10 { _ = try fixture.migration.read(key: "u1") }
        #expect(fixture.migration.consistency.totals.shed == 8)
        fixture.migration.shutdown()
        try await fixture.migration.run()
        #expect(fixture.migration.consistency.totals.compared == 2)
        // After shutdown nothing more is queued: a comparing read counts its comparison as shed.
        _ = try fixture.migration.read(key: "u1")
        #expect(fixture.migration.consistency.totals.shed == 9)
    }

    @Test func gracefulShutdownOfTheServiceGroupDrainsQueuedComparisons() async throws {
        let fixture = try Fixture(.init(stage: .live))
        for i in 0..<300 { try await fixture.migration.write(Self.profile("u\(i)", name: "N\(i)")) }
        for i in 0..<300 { _ = try fixture.migration.read(key: "u\(i)") }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let group = ServiceGroup(configuration: .init(services: [fixture.migration], logger: logger))
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(fixture.migration.consistency.totals.compared == 300)
        #expect(fixture.migration.consistency.totals.matched == 300)
        var events = 0
        for await _ in fixture.migration.events { events += 1 }
        #expect(events == 0, "the event stream finished when run() returned, with no transition")
        await #expect(throws: TandemMigrationError.self) { try await fixture.migration.run() }
    }

    @Test func failedWriteThrowsTypedErrorAndIsAnEvent() async throws {
        let fixture = try Fixture()
        var noKey = Self.profile("", name: "Ada")
        noKey.id = ""
        await #expect {
            try await fixture.migration.write(noKey)
        } throws: { error in
            let error = error as? TandemMigrationError
            return error?.code == .write && error?.engineError?.code == .missingKey
        }
        #expect(fixture.metrics.value("tandem_write_failures_total") == 1)
        #expect(fixture.migration.engine.totals.writes == 0)
        fixture.migration.shutdown()
        try await fixture.migration.run()
        var failures = 0
        for await event in fixture.migration.events {
            if case .writeFailed(let error) = event, error.engineError?.code == .missingKey { failures += 1 }
        }
        #expect(failures == 1)
    }

    @Test func typesThatAreNotThePlansMessagesAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try TandemMigration<ProfileV1, ProfileV2>(
                planDirectory: Self.planDirectory, primaryPath: directory.appendingPathComponent("p").path,
                shadowPath: directory.appendingPathComponent("s").path)
        } throws: { error in
            (error as? TandemMigrationError)?.code == .schemaMismatch
        }
        #expect {
            try ProfileMigration(
                planDirectory: Self.planDirectory, primaryPath: directory.appendingPathComponent("p").path,
                shadowPath: directory.appendingPathComponent("s").path, configuration: .init(canaryPercent: 150))
        } throws: { error in
            (error as? TandemMigrationError)?.code == .configuration
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("p").path))
    }

    static let rolloutPlanDirectory = planDirectory + "-rollout"

    static func rolloutMigration(ledger: InMemoryLedgerBackend, in directory: URL) throws -> ProfileMigration {
        try ProfileMigration(
            planDirectory: rolloutPlanDirectory, primaryPath: directory.appendingPathComponent("v2.sqlite").path,
            shadowPath: directory.appendingPathComponent("v1.sqlite").path,
            configuration: .init(rollout: true, rolloutLedger: ledger))
    }

    @Test func theRolloutSetsTheStageAndTheCanaryAndAResumedServiceKeepsThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facade-rollout-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = InMemoryLedgerBackend()
        let keys = (0..<2000).map { "u\($0)" }
        func canaryShare(_ migration: ProfileMigration) -> Double {
            Double(keys.count { migration.route(key: $0) == .v2 }) / Double(keys.count)
        }
        do {
            let migration = try Self.rolloutMigration(ledger: ledger, in: directory)
            let rollout = try #require(migration.rollout)
            // The rollout's first step wins over the configuration's stage (shadow by default).
            #expect(migration.stage == .dualwrite)
            try rollout.promote()
            #expect(migration.stage == .shadow)
            try rollout.promote()
            #expect(migration.stage == .live)
            #expect(abs(canaryShare(migration) - 0.10) < 0.03)
            try rollout.promote()
            #expect(abs(canaryShare(migration) - 0.50) < 0.04)
            let events = migration.events
            migration.shutdown()
            try await migration.run()
            var decisions: [RolloutStep] = []
            for await event in events {
                if case .rolloutDecision(let decision) = event { decisions.append(decision.step) }
            }
            #expect(decisions.map(\.description) == ["shadow", "live 10%", "live 50%"])
        }
        // A restarted service on the same ledger resumes at live 50%.
        let resumed = try Self.rolloutMigration(ledger: ledger, in: directory)
        #expect(resumed.stage == .live)
        #expect(abs(canaryShare(resumed) - 0.50) < 0.04)
        try resumed.rollout?.rollback()
        #expect(resumed.stage == .shadow)
        #expect(resumed.route(key: "u1") == .legacy)
    }

    @Test func rolloutWithoutARolloutBlockIsAConfigurationError() throws {
        #expect {
            _ = try Fixture(.init(rollout: true))
        } throws: { error in
            (error as? TandemMigrationError)?.code == .configuration
                && "\(error)".contains("no rollout: block")
        }
    }
}
