import Foundation
import Testing

@testable import Tandem

/// Checkpoints on a background thread (outbox-mode writers, and ``SQLiteStore`` when asked) must copy the WAL back
/// and let it start over, as SQLite's own checkpoints do: a WAL that never restarts grows with every write.
@Suite("Background checkpoints")
struct BackgroundCheckpointTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    static let payload = [UInt8](repeating: 0x5A, count: 400)

    @Test func aWriterThatNeverPausesStillGetsItsWALRestarted() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        // Every write is an update: some 20,000 primary WAL pages in all (about 80 MB if the WAL never restarted).
        let writes = 10_000
        for i in 0..<writes {
            try await writer.write(key: "k\(i % 500)", primary: Self.payload, shadow: [UInt8(i % 256)])
        }
        writer.waitForShadowWrites()
        let wal = Self.size(dir.file("primary.sqlite-wal"))
        #expect(wal > 0)
        #expect(wal < 24 << 20, "the primary WAL is \(wal) bytes: it did not start over")
        // Pages went back into the database file itself.
        #expect(Self.size(dir.file("primary.sqlite")) > 200 * 1024)
        for i in stride(from: 0, to: 500, by: 37) {
            let pair = try writer.readPair("k\(i)")
            #expect(pair.primary?.payload == Self.payload)
            #expect(pair.primary?.seq == pair.shadow?.seq)
        }
    }

    @Test func aSingleStoreAskedForBackgroundCheckpointsKeepsItsWALBounded() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        let store = try SQLiteStore(path: path, configuration: .init(backgroundCheckpoints: true))
        for i in 0..<10_000 {
            _ = try store.put(key: "k\(i % 500)", payload: Self.payload)
        }
        #expect(Self.size(path + "-wal") < 24 << 20)
        #expect(Self.size(path) > 200 * 1024)
        #expect(try store.get("k499")?.seq == 20)
    }

    /// Commits that outpace every pass (fast writes, slow syncs: each pass here waits 30 ms first) must still be held
    /// for a final pass once the WAL is a few thresholds long, or the WAL grows for as long as the writer keeps up.
    @Test func aWriterOutpacingSlowPassesIsHeldBeforeItsWALGrowsLarge() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        var configuration = SQLiteStore.Configuration(backgroundCheckpoints: true)
        configuration.checkpointPassDelay = .milliseconds(30)
        let store = try SQLiteStore(path: path, configuration: configuration)
        for i in 0..<10_000 {
            _ = try store.put(key: "k\(i % 500)", payload: Self.payload)
        }
        #expect(Self.size(path + "-wal") < 24 << 20)
        #expect(Self.size(path) > 200 * 1024)
        #expect(try store.get("k499")?.seq == 20)
    }

    @Test func aReaderPinningOldPagesDelaysTheRestartButLosesNothing() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        try await writer.write(key: "pinned", primary: [1], shadow: [1])
        // A read transaction held open on the primary keeps its snapshot's pages in the WAL.
        let reader = try SQLiteConnection(path: dir.file("primary.sqlite"), options: .init(readOnly: true))
        try reader.execute("BEGIN")
        #expect(try reader.record(key: "pinned")?.seq == 1)
        for i in 0..<3_000 {
            try await writer.write(key: "k\(i % 300)", primary: Self.payload, shadow: [1])
        }
        #expect(try reader.record(key: "pinned")?.seq == 1)
        #expect(try reader.record(key: "k0") == nil, "the reader still sees its snapshot")
        try reader.execute("COMMIT")
        for i in 0..<3_000 {
            try await writer.write(key: "k\(i % 300)", primary: Self.payload, shadow: [2])
        }
        writer.waitForShadowWrites()
        #expect(try writer.readPair("k299").primary?.seq == 20)
        #expect(try writer.readPair("k299").shadow?.payload == [2])
        #expect(try writer.counts() == (primary: 301, shadow: 301))
    }
}
