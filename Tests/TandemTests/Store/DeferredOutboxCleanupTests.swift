import Foundation
import Testing

@testable import Tandem

/// Outbox mode removes the outbox rows of written shadow rows in the next group's primary transaction (or
/// a transaction of its own when idle, closing, or asked about pending rows): DESIGN section 5's contract
/// must not see the difference.
@Suite("DualWriter deferred outbox cleanup")
struct DeferredOutboxCleanupTests {
    func outboxRows(_ path: String) throws -> Int {
        let connection = try SQLiteConnection(path: path)
        return try connection.pendingOutboxCount()
    }

    @Test func pendingRepairsIsZeroWhileCleanupIsDeferredAndAfterACleanClose() async throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try openWriter(dir, .outbox)
            for i in 0..<20 {
                try await writer.write(key: "k\(i % 7)", primary: [UInt8(i)], shadow: [UInt8(i), 1])
            }
            try writer.apply([.put(key: "a", primary: [1], shadow: [2]), .delete(key: "k3")])
            #expect(try writer.pendingRepairs() == 0)
            try await writer.write(key: "last", primary: [9], shadow: [8])
        }
        // The writer is gone: closing removed the settled rows.
        #expect(try outboxRows(dir.file("primary.sqlite")) == 0)
        let writer = try openWriter(dir, .outbox)
        #expect(writer.repaired == 0)
        #expect(try writer.pendingRepairs() == 0)
        #expect(try writer.readPair("last").shadow?.payload == [8])
    }

    @Test func anIdleWriterEmptiesTheOutboxOnItsOwn() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        try await writer.write(key: "k", primary: [1], shadow: [2])
        var rows = try outboxRows(dir.file("primary.sqlite"))
        for _ in 0..<100 where rows > 0 {
            try await Task.sleep(for: .milliseconds(20))
            rows = try outboxRows(dir.file("primary.sqlite"))
        }
        #expect(rows == 0)
        #expect(try writer.pendingRepairs() == 0)
    }

    /// A crash after the shadow write but before the deferred cleanup leaves outbox rows whose shadow side is
    /// already there: replaying them on open changes nothing, is not counted as a repair, and empties the
    /// outbox. Simulated by copying the files while the writer still holds settled rows.
    @Test func aCrashBeforeTheDeferredCleanupReplaysHarmlessly() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        try await writer.write(key: "a", primary: [1], shadow: [2])
        try await writer.write(key: "a", primary: [3], shadow: [4])
        try writer.apply([.put(key: "b", primary: [5], shadow: [6]), .delete(key: "a")])
        try writer.apply([.put(key: "c", primary: [7], shadow: [8])])
        // Snapshot the files as a SIGKILL now would leave them (WAL included; same process, so no lock).
        let crashed = try TemporaryDirectory()
        for name in ["primary.sqlite", "shadow.sqlite"] {
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: dir.file(name + suffix)) {
                try FileManager.default.copyItem(atPath: dir.file(name + suffix), toPath: crashed.file(name + suffix))
            }
        }
        let left = try outboxRows(crashed.file("primary.sqlite"))
        #expect(left >= 1, "the last group's outbox rows are still there (cleanup deferred)")
        let before = try (SQLiteConnection(path: crashed.file("shadow.sqlite")).scanRecords(after: nil, limit: 100))
        let reopened = try openWriter(crashed, .outbox)
        #expect(reopened.repaired == 0)
        #expect(try reopened.pendingRepairs() == 0)
        #expect(try outboxRows(crashed.file("primary.sqlite")) == 0)
        let after = try SQLiteConnection(path: crashed.file("shadow.sqlite")).scanRecords(after: nil, limit: 100)
        #expect(after == before)
        var cursor = reopened.pairCursor()
        var keys: [String] = []
        while let pair = try cursor.next() {
            keys.append(pair.key)
            #expect(pair.primary?.seq == pair.shadow?.seq)
            #expect(pair.primary?.writtenAt == pair.shadow?.writtenAt)
        }
        #expect(keys == ["b", "c"])
        // The sequence continues past the deferred rows.
        #expect(try await reopened.write(key: "a", primary: [9], shadow: [9]).seq == 4)
        #expect(try await reopened.write(key: "c", primary: [9], shadow: [9]).seq == 2)
    }

    /// A shadow failure still leaves exactly its own rows pending, even when cleanup of earlier rows is
    /// deferred into the failing group's transaction; repair() then counts only them.
    @Test(arguments: ShadowWriteTiming.allCases)
    func aShadowFailureLeavesExactlyItsRowsPending(timing: ShadowWriteTiming) async throws {
        let dir = try TemporaryDirectory()
        let failures = ShadowFailures()
        let writer = try openWriter(dir, .outbox, shadowWrites: timing, failures: failures)
        try writer.apply([.put(key: "good1", primary: [1], shadow: [1]), .put(key: "good2", primary: [1], shadow: [1])])
        try executeSQL(
            dir.file("shadow.sqlite"),
            "CREATE TRIGGER refuse BEFORE INSERT ON tandem_records WHEN NEW.key LIKE 'bad%' "
                + "BEGIN SELECT RAISE(ABORT, 'injected'); END")
        let outcomes = writer.applyEach([
            .put(key: "bad1", primary: [1], shadow: [1]), .put(key: "good3", primary: [1], shadow: [1]),
            .put(key: "bad2", primary: [1], shadow: [1]),
        ])
        #expect(outcomes.map { (try? $0.get()) != nil } == [false, true, false])
        #expect(try writer.pendingRepairs() == 2)
        let single = await asyncStoreResult { () async throws(StoreError) in
            try await writer.write(key: "bad3", primary: [1], shadow: [1])
        }
        writer.waitForShadowWrites()
        // Batch writes are inline either way; a deferred single write reports its failure instead of throwing it.
        let reported = failures.all(expecting: timing == .inline ? 0 : 1)
        #expect((timing == .inline ? single.failure : reported.first)?.code == .shadowPending)
        #expect(reported.count == (timing == .inline ? 0 : 1))
        #expect(try writer.pendingRepairs() == 3)
        try executeSQL(dir.file("shadow.sqlite"), "DROP TRIGGER refuse")
        #expect(try writer.repair() == 3)
        #expect(try writer.pendingRepairs() == 0)
        #expect(try writer.counts() == (primary: 6, shadow: 6))
    }
}
