import Foundation
import Synchronization
import Testing

@testable import Tandem

/// Concurrent writers, readers and comparisons on the same keys: no mismatch ever, and `in_flight` only where a
/// primary row really was ahead of its shadow row.
@Suite("TandemMigration under concurrency")
struct TandemMigrationRaceTests {
    /// Every comparison made while the writers ran, by key.
    final class Outcomes: Sendable {
        private let seen = Mutex<[String: [ComparisonOutcome]]>([:])
        func add(_ comparison: KeyComparison) {
            seen.withLock { $0[comparison.key, default: []].append(comparison.outcome) }
        }
        var all: [String: [ComparisonOutcome]] { seen.withLock { $0 } }
    }

    /// Every acknowledged write, by key and seq.
    final class Receipts: Sendable {
        private let written = Mutex<[String: [Int64: ProfileV2]]>([:])
        func add(_ receipt: WriteReceipt, _ profile: ProfileV2) {
            written.withLock { $0[receipt.key, default: [:]][receipt.seq] = profile }
        }
        var all: [String: [Int64: ProfileV2]] { written.withLock { $0 } }
    }

    @Test(arguments: [DualWriteMode.outbox, .atomic])
    func concurrentWritesReadsAndComparisonsNeverMismatch(mode: DualWriteMode) async throws {
        let fixture = try TandemMigrationTests.Fixture(.init(stage: .live, writeMode: mode))
        let migration = fixture.migration
        let hotKeys = (0..<8).map { "hot\($0)" }
        // Keys whose primary row another writer moves ahead of the shadow (as a process killed between the two
        // steps would leave it): their comparisons are really in flight.
        let foreignKeys = (0..<2).map { "foreign\($0)" }
        for key in hotKeys + foreignKeys {
            try await migration.write(TandemMigrationTests.profile(key, name: "initial"))
        }
        // Another writer's primary step landed, its shadow step not yet: from before the race starts to its end.
        let foreignWriter = try SQLiteConnection(path: fixture.primaryPath)
        for key in foreignKeys {
            var row = try #require(try foreignWriter.record(key: key))
            row.seq += 1
            try foreignWriter.upsertRecord(row)
        }
        let outcomes = Outcomes()
        let receipts = Receipts()
        let primaryPath = fixture.primaryPath

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in 0..<60 {
                        let key = hotKeys[(writer + round) % hotKeys.count]
                        let profile = TandemMigrationTests.profile(
                            key, name: "w\(writer)-r\(round)", labels: ["r\(round)"])
                        // Half the writes come with the legacy code path's own record, half are projected.
                        let receipt =
                            round.isMultiple(of: 2)
                            ? try await migration.write(profile)
                            : try await migration.write(profile, legacy: Self.legacy(of: profile))
                        receipts.add(receipt, profile)
                    }
                }
            }
            group.addTask {
                let primary = try SQLiteConnection(path: primaryPath)
                for round in 0..<20 {
                    for key in foreignKeys {
                        guard var row = try primary.record(key: key) else { continue }
                        row.seq += 1
                        row.writtenAt += Int64(round)
                        try primary.upsertRecord(row)
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            for comparer in 0..<3 {
                group.addTask {
                    for round in 0..<120 {
                        let keys = hotKeys + foreignKeys
                        let key = keys[(comparer * 7 + round) % keys.count]
                        if let comparison = try migration.compare(key: key) { outcomes.add(comparison) }
                        await Task.yield()
                    }
                }
            }
            for reader in 0..<3 {
                group.addTask {
                    for round in 0..<120 {
                        let key = hotKeys[(reader + round) % hotKeys.count]
                        let record = try #require(try migration.read(key: key))
                        #expect(record.store == .primary)
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }

        let seen = outcomes.all
        #expect(seen.values.joined().count == 360)
        #expect(!seen.values.joined().contains(.mismatch))
        for key in hotKeys { #expect(seen[key, default: []].allSatisfy { $0 == .match }, "\(key): \(seen[key] ?? [])") }
        for key in foreignKeys { #expect(seen[key, default: []].allSatisfy { $0 == .inFlight }) }
        #expect(migration.consistency.totals.mismatched == 0)
        #expect(migration.consistency.totals.inFlight == seen.values.joined().filter { $0 == .inFlight }.count)
        #expect(foreignKeys.allSatisfy { !seen[$0, default: []].isEmpty })

        // Quiet now: every hot key matches, and its v2 row is the write acknowledged with the highest seq.
        let written = receipts.all
        for key in hotKeys {
            #expect(try migration.compare(key: key)?.outcome == .match)
            let record = try #require(try migration.read(key: key))
            let last = try #require(written[key]?.max { $0.key < $1.key })
            #expect(record.stored.seq == last.key)
            #expect(record.v2Record == last.value)
        }
        // A foreign key heals with the next write through the migration.
        try await migration.write(TandemMigrationTests.profile("foreign0", name: "healed"))
        #expect(try migration.compare(key: "foreign0")?.outcome == .match)
    }

    static func legacy(of profile: ProfileV2) -> ProfileV1 {
        var legacy = ProfileV1()
        legacy.id = profile.id
        legacy.displayName = profile.profile.displayName
        legacy.createdMs = profile.createdAt.seconds * 1000 + Int64(profile.createdAt.nanos / 1_000_000)
        legacy.status = profile.status == .suspended ? .disabled : .active
        legacy.email = profile.emailAddress
        legacy.lastSeenMs = profile.lastSeenMs
        legacy.tags = profile.labels
        return legacy
    }
}
