import Foundation
import Synchronization
import Testing

@testable import Tandem

/// Outbox mode with deferred shadow writes (the default): a write returns at its primary commit, the relay writes
/// the shadow row after, and nothing a caller can observe through the writer shows the gap.
@Suite("DualWriter deferred shadow writes")
struct DeferredShadowWriteTests {
    /// Holds the shadow file's write lock from another connection, so the relay's shadow transaction waits.
    final class ShadowLock: Sendable {
        let holder: SQLiteConnection
        init(_ path: String) throws {
            holder = try SQLiteConnection(path: path)
            try holder.execute("BEGIN IMMEDIATE")
        }
        func release() throws { try holder.execute("ROLLBACK") }
    }

    @Test func aWriteReturnsAtThePrimaryCommitAndReadsOfTheShadowSeeItAtOnce() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        try await writer.write(key: "k", primary: [1], shadow: [2])
        writer.waitForShadowWrites()
        let lock = try ShadowLock(dir.file("shadow.sqlite"))
        // The relay cannot write the shadow now, yet the write returns: the primary row and its outbox row committed.
        let receipt = try await writer.write(key: "k", primary: [3], shadow: [4])
        #expect(receipt.seq == 2)
        let onDisk = try SQLiteConnection(path: dir.file("shadow.sqlite"), options: .init(readOnly: true))
        #expect(try onDisk.record(key: "k")?.seq == 1, "the shadow file does not hold the write yet")
        // Reads through the writer answer the queued row: a service reading its legacy store reads its own write.
        #expect(
            try writer.read("k", from: .shadow)
                == StoredRecord(key: "k", payload: [4], seq: 2, writtenAt: receipt.writtenAt))
        #expect(try writer.read("k", from: .primary)?.seq == 2)
        // A queued delete reads as no row.
        try await writer.delete(key: "k")
        #expect(try writer.read("k", from: .shadow) == nil)
        #expect(try onDisk.record(key: "k")?.seq == 1)
        try lock.release()
        writer.waitForShadowWrites()
        #expect(try onDisk.record(key: "k") == nil)
        #expect(try writer.readPair("k") == RecordPair(key: "k", primary: nil, shadow: nil))
        #expect(writer.failedShadowWrites == 0)
    }

    @Test func readPairWaitsForQueuedShadowWritesSoItNeverSeesAWriteHalfDone() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        let lock = try ShadowLock(dir.file("shadow.sqlite"))
        try await writer.write(key: "k", primary: [1], shadow: [2])
        let released = Mutex(false)
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            released.withLock { $0 = true }
            try? lock.release()
        }
        thread.start()
        let pair = try writer.readPair("k")
        let wasReleased = released.withLock { $0 }
        #expect(wasReleased)
        #expect(pair.primary?.seq == 1 && pair.shadow?.seq == 1)
        #expect(pair.shadow?.payload == [2])
    }

    @Test func concurrentWritesOfTheSameKeysReachTheShadowInCommitOrder() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox, maxBatch: 8)
        let keys = (0..<5).map { "k\($0)" }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<100 {
                        let key = keys[(task + i) % keys.count]
                        _ = try? await writer.write(key: key, primary: [UInt8(task), UInt8(i)], shadow: [UInt8(i)])
                    }
                }
            }
        }
        writer.waitForShadowWrites()
        let onDisk = try SQLiteConnection(path: dir.file("shadow.sqlite"), options: .init(readOnly: true))
        for key in keys {
            let pair = try writer.readPair(key)
            let primary = try #require(pair.primary)
            // The shadow file itself holds the last write (a stale relay write would leave a lower seq).
            #expect(try onDisk.record(key: key)?.seq == primary.seq)
            #expect(pair.shadow?.payload == [primary.payload[1]])
        }
        #expect(try writer.counts() == (primary: 5, shadow: 5))
        #expect(writer.failedShadowWrites == 0)
    }

    @Test func inlineWritesWaitForTheShadow() async throws {
        let dir = try TemporaryDirectory()
        let writer = try DualWriter(
            primaryPath: dir.file("primary.sqlite"), shadowPath: dir.file("shadow.sqlite"),
            configuration: .init(busyTimeout: .milliseconds(30), shadowWrites: .inline))
        let lock = try ShadowLock(dir.file("shadow.sqlite"))
        // The shadow is locked past the busy timeout: the inline write reports it; the primary row is committed.
        let error = await asyncStoreError { () async throws(StoreError) in
            try await writer.write(key: "k", primary: [1], shadow: [2])
        }
        #expect(error?.code == .shadowPending)
        try lock.release()
        #expect(try writer.repair() == 1)
        #expect(try writer.readPair("k").shadow?.seq == 1)
    }

    @Test func aWriterDroppedWithQueuedShadowRowsLeavesNothingBehind() async throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try openWriter(dir, .outbox)
            for i in 0..<300 { try await writer.write(key: "k\(i % 50)", primary: [UInt8(i % 256)], shadow: [1]) }
        }
        // The relay holds the writer until its queue is written; a new writer finds both stores in step.
        let reopened = try openWriter(dir, .outbox)
        #expect(try reopened.pendingRepairs() == 0)
        #expect(try reopened.counts() == (primary: 50, shadow: 50))
        for i in 0..<50 {
            let pair = try reopened.readPair("k\(i)")
            #expect(pair.primary?.seq == 6 && pair.shadow?.seq == 6)
        }
    }
}

extension DeferredShadowWriteTests {
    /// The failure handler runs off the relay's queue, so it may call back into the writer (which waits for the relay).
    @Test func aFailureHandlerMayCallBackIntoTheWriter() async throws {
        let dir = try TemporaryDirectory()
        do { _ = try openWriter(dir, .outbox) }
        try executeSQL(
            dir.file("shadow.sqlite"),
            "CREATE TRIGGER refuse BEFORE INSERT ON tandem_records BEGIN SELECT RAISE(ABORT, 'injected'); END")
        final class Box: Sendable {
            let writer = Mutex<DualWriter?>(nil)
            let pending = Mutex<[Int]>([])
        }
        let box = Box()
        let writer = try DualWriter(
            primaryPath: dir.file("primary.sqlite"), shadowPath: dir.file("shadow.sqlite"),
            configuration: .init(onShadowWriteFailure: { _ in
                guard let writer = box.writer.withLock({ $0 }) else { return }
                let pending = (try? writer.pendingRepairs()) ?? -1
                box.pending.withLock { $0.append(pending) }
            }))
        box.writer.withLock { $0 = writer }
        try await writer.write(key: "k", primary: [1], shadow: [2])
        writer.waitForShadowWrites()
        let deadline = Date().addingTimeInterval(10)
        while box.pending.withLock({ $0.isEmpty }) && Date() < deadline { usleep(1_000) }
        #expect(box.pending.withLock { $0 } == [1])
        box.writer.withLock { $0 = nil }
    }
}
