import Foundation
import Tandem
import TandemTesting
import Testing

/// What every ``RecordBackend`` must do (DESIGN section 10), run against SQLite and the in-memory reference alike.
@Suite("Record backend contract")
struct RecordBackendContractTests {
    @Test(arguments: BackendKind.allCases)
    func commitStampsTheNextSeqOfEachKeyAndADeleteKeepsTheSequence(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let first = try fixture.dualWrite([put("a", [1], [2]), put("b", [1], [2]), put("a", [3], [4])])
        #expect(first.map(\.seq) == [1, 1, 2])
        let deletion = try fixture.dualWrite([.delete(key: "a")])
        #expect(deletion.map(\.seq) == [3])
        #expect(deletion.first?.deleted == true)
        #expect(try fixture.backend.readPair("a") == RecordPair(key: "a", primary: nil, shadow: nil))
        // The tombstone keeps the sequence going: a stale shadow row of an earlier put can never look current.
        let again = try fixture.dualWrite([put("a", [5], [6])])
        #expect(again.map(\.seq) == [4])
        let pair = try fixture.backend.readPair("a")
        #expect(pair.primary?.payload == [5])
        #expect(pair.shadow?.payload == [6])
        #expect(pair.sameWrite)
        #expect(try fixture.backend.counts() == (primary: 2, shadow: 2))
    }

    @Test(arguments: BackendKind.allCases)
    func theShadowSideFollowsTheModeAndCarriesThePrimarySeqAndTime(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let receipts = try fixture.backend.commitPrimary([put("k", [1], [9])][...], settling: [], isolateRows: false)
            .get().map { try $0.get() }
        let receipt = try #require(receipts.first)
        if kind.mode == .atomic {
            #expect(try fixture.backend.read("k", from: .shadow)?.seq == receipt.seq)
            #expect(try fixture.backend.pendingOutboxCount() == 0)
            return
        }
        // Outbox mode: the primary row and its outbox row committed, the shadow row not yet.
        #expect(try fixture.backend.read("k", from: .shadow) == nil)
        #expect(try fixture.backend.pendingOutbox(after: nil, limit: 10).map(\.receipt) == [receipt])
        let write = ShadowWrite(op: put("k", [1], [9]), receipt: receipt)
        #expect(fixture.backend.applyShadow([write]).isEmpty)
        let shadow = try #require(try fixture.backend.read("k", from: .shadow))
        #expect(shadow == StoredRecord(key: "k", payload: [9], seq: receipt.seq, writtenAt: receipt.writtenAt))
        // The outbox row goes with the next commit that settles it, and only if no later write replaced it.
        _ = try fixture.backend.commitPrimary(
            [put("other", [1], [1])][...], settling: [OutboxRow(key: "k", seq: receipt.seq)], isolateRows: false
        ).get()
        #expect(try fixture.backend.pendingOutbox(after: nil, limit: 10).map(\.receipt.key) == ["other"])
        fixture.backend.clearOutbox([OutboxRow(key: "other", seq: 99)])
        #expect(try fixture.backend.pendingOutboxCount() == 1)
    }

    @Test(arguments: BackendKind.outboxKinds)
    func replayingTheOutboxWritesEachPendingRowOnceAndSkipsRowsTheShadowHolds(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let ops = (0..<300).map { put(String(format: "key-%03d", $0), [1], [UInt8($0 % 250)]) }
        let receipts = try fixture.backend.commitPrimary(ops[...], settling: [], isolateRows: false).get()
            .map { try $0.get() }
        // The first ten reached the shadow before the "crash" but their outbox rows were not removed.
        for index in 0..<10 {
            let record = StoredRecord(
                key: receipts[index].key, payload: [UInt8(index % 250)], seq: receipts[index].seq,
                writtenAt: receipts[index].writtenAt)
            #expect(
                try fixture.backend.conditionalWrite(
                    ConditionalWrite(side: .shadow, record: record, condition: .absent)) == .written)
        }
        #expect(try fixture.backend.pendingOutboxCount() == 300)
        let replay = fixture.backend.replayOutbox()
        #expect(replay.firstFailure == nil)
        #expect(replay.replayed == 290)
        #expect(try fixture.backend.pendingOutboxCount() == 0)
        #expect(try fixture.backend.counts() == (primary: 300, shadow: 300))
        #expect(try fixture.backend.readPair("key-299").sameWrite)
        #expect(fixture.backend.replayOutbox().replayed == 0)
    }

    @Test(arguments: BackendKind.allCases)
    func conditionalWritesHappenOnlyWhileTheirConditionHolds(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let receipt = try #require(try fixture.dualWrite([put("k", [1], [2])]).first)
        let repaired = StoredRecord(key: "k", payload: [7], seq: receipt.seq, writtenAt: receipt.writtenAt)
        // Put-if-absent on a row that exists: refused, the current row returned.
        let absent = try fixture.backend.conditionalWrite(
            ConditionalWrite(side: .shadow, record: repaired, condition: .absent))
        guard case .conflict(let current) = absent else {
            Issue.record("expected a conflict, got \(absent)")
            return
        }
        #expect(current?.payload == [2])
        // Replace-if-seq-unchanged: written while the seq is still the one compared...
        #expect(
            try fixture.backend.conditionalWrite(
                ConditionalWrite(side: .shadow, record: repaired, condition: .seq(receipt.seq))) == .written)
        #expect(try fixture.backend.read("k", from: .shadow)?.payload == [7])
        // ...and never over a newer write.
        try fixture.dualWrite([put("k", [3], [4])])
        let stale = try fixture.backend.conditionalWrite(
            ConditionalWrite(side: .shadow, record: repaired, condition: .seq(receipt.seq)))
        #expect(stale == .conflict(current: try fixture.backend.read("k", from: .shadow)))
        #expect(try fixture.backend.read("k", from: .shadow)?.payload == [4])
        // A deleted key is never brought back into the primary.
        try fixture.dualWrite([.delete(key: "k")])
        let revived = StoredRecord(key: "k", payload: [1], seq: 1, writtenAt: 1)
        #expect(
            try fixture.backend.conditionalWrite(
                ConditionalWrite(side: .primary, record: revived, condition: .absent)) == .tombstoned)
        #expect(try fixture.backend.read("k", from: .primary) == nil)
        let fresh = StoredRecord(key: "new", payload: [1], seq: 1, writtenAt: 1)
        #expect(
            try fixture.backend.conditionalWrite(ConditionalWrite(side: .primary, record: fresh, condition: .absent))
                == .written)
        #expect(try fixture.backend.read("new", from: .primary) == fresh)
    }

    @Test(arguments: BackendKind.allCases)
    func aConditionalWriteChecksItsPartnerRowAndABatchDecidesEachWriteAlone(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let receipts = try fixture.dualWrite([put("a", [1], [1]), put("b", [1], [1])])
        let a = try #require(receipts.first)
        // Shadow "a" rewritten while the primary still holds the write it was built from; "b" refused because its
        // primary moved on; "gone" refused because its primary was deleted; "c" put while absent.
        try fixture.dualWrite([put("b", [2], [2]), put("gone", [1], [1])])
        try fixture.dualWrite([.delete(key: "gone")])
        let outcomes = try fixture.backend.conditionalWrite([
            ConditionalWrite(
                side: .shadow, record: StoredRecord(key: "a", payload: [9], seq: a.seq, writtenAt: 1),
                condition: .seq(a.seq), partnerSeq: a.seq),
            ConditionalWrite(
                side: .shadow, record: StoredRecord(key: "b", payload: [9], seq: 1, writtenAt: 1),
                condition: .seq(2), partnerSeq: 1),
            ConditionalWrite(
                side: .shadow, record: StoredRecord(key: "gone", payload: [9], seq: 1, writtenAt: 1),
                condition: .absent, partnerSeq: 1),
            ConditionalWrite(
                side: .primary, record: StoredRecord(key: "c", payload: [5], seq: 4, writtenAt: 1),
                condition: .absent),
        ])
        #expect(outcomes.count == 4)
        #expect(outcomes.first == .written)
        #expect(outcomes.dropFirst().first == .partnerChanged(current: try fixture.backend.read("b", from: .primary)))
        #expect(outcomes.dropFirst(2).first == .partnerChanged(current: nil))
        #expect(outcomes.last == .written)
        #expect(try fixture.backend.read("a", from: .shadow)?.payload == [9])
        #expect(try fixture.backend.read("b", from: .shadow)?.payload == [2])
        #expect(try fixture.backend.read("gone", from: .shadow) == nil)
        #expect(try fixture.backend.read("c", from: .primary)?.seq == 4)
        // A primary write checks its shadow partner the same way.
        #expect(
            try fixture.backend.conditionalWrite(
                ConditionalWrite(
                    side: .primary, record: StoredRecord(key: "d", payload: [1], seq: 3, writtenAt: 1),
                    condition: .absent, partnerSeq: 3)) == .partnerChanged(current: nil))
    }

    @Test(arguments: BackendKind.outboxKinds)
    func aShadowWriteWaitingInTheOutboxIsNeverWrittenOver(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        // The primary committed with its outbox row; the shadow write (carrying a legacy payload) has not landed.
        let receipt = try #require(
            try fixture.backend.commitPrimary([put("k", [1], [7, 7])][...], settling: [], isolateRows: false).get()
                .first?.get())
        let outcome = try fixture.backend.conditionalWrite(
            ConditionalWrite(
                side: .shadow, record: StoredRecord(key: "k", payload: [1], seq: receipt.seq, writtenAt: 1),
                condition: .absent, partnerSeq: receipt.seq))
        #expect(outcome == .partnerChanged(current: try fixture.backend.read("k", from: .primary)))
        // Once it has landed, the legacy payload is what the shadow holds.
        #expect(fixture.backend.replayOutbox().replayed == 1)
        #expect(try fixture.backend.read("k", from: .shadow)?.payload == [7, 7])
    }

    @Test(arguments: BackendKind.allCases)
    func pairsPageInByteWiseKeyOrderMergingBothStores(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        // Byte-wise UTF-8 order, not Swift's String order: "B" < "a" < "z" < "é".
        let keys = ["z", "a", "é", "B", "m1", "m2", "m3"]
        try fixture.dualWrite(keys.map { put($0, [1], [1]) })
        let primaryOnly = StoredRecord(key: "p", payload: [1], seq: 1, writtenAt: 1)
        #expect(
            try fixture.backend.conditionalWrite(
                ConditionalWrite(side: .primary, record: primaryOnly, condition: .absent)) == .written)
        let shadowOnly = StoredRecord(key: "s", payload: [1], seq: 1, writtenAt: 1)
        #expect(
            try fixture.backend.conditionalWrite(
                ConditionalWrite(side: .shadow, record: shadowOnly, condition: .absent)) == .written)
        var seen: [RecordPair] = []
        var after: String?
        while true {
            let page = try fixture.backend.pairs(after: after, limit: 3)
            seen += page
            if page.count < 3 { break }
            after = page.last?.key
        }
        #expect(seen.map(\.key) == ["B", "a", "m1", "m2", "m3", "p", "s", "z", "é"])
        #expect(seen.first { $0.key == "p" }?.shadow == nil)
        #expect(seen.first { $0.key == "s" }?.primary == nil)
        #expect(seen.filter { $0.primary != nil && $0.shadow != nil }.count == 7)
        // Every field of a paged pair (payload, seq, written_at of both sides) is what a read of the key answers.
        for pair in seen { #expect(pair == (try fixture.backend.readPair(pair.key)), "pair \(pair.key)") }
        #expect(seen.first { $0.key == "p" }?.primary == primaryOnly)
        #expect(seen.first { $0.key == "s" }?.shadow == shadowOnly)
    }

    @Test(arguments: BackendKind.allCases)
    func aReaderSeesWhatIsCommitted(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let reader = try fixture.backend.makeReader()
        try fixture.dualWrite([put("a", [1], [2]), put("b", [3], [4])])
        #expect(try reader.read("a", from: .primary)?.payload == [1])
        #expect(try reader.readPair("b").shadow?.payload == [4])
        #expect(try reader.read("missing", from: .shadow) == nil)
        // The batched read (the comparator's) answers as the single reads do, in the keys' order, gaps included.
        let keys = ["b", "missing", "a", "b"]
        for side in [DualWriter.Side.primary, .shadow] {
            let batch = try reader.read(keys, from: side)
            #expect(batch == (try keys.map { try reader.read($0, from: side) }))
            #expect(batch.compactMap(\.self).map(\.key) == ["b", "a", "b"])
        }
        #expect(try reader.read([], from: .primary).isEmpty)
        // A key the store refuses fails the batch, naming the store.
        let tooLong = String(repeating: "k", count: 1_025)
        #expect(
            storeError { () throws(StoreError) in try reader.read(["a", tooLong], from: .shadow) }?.code == .invalidKey)
    }

    @Test(arguments: BackendKind.allCases)
    func invalidKeysAndPageSizesAreRefusedNamingTheStore(kind: BackendKind) throws {
        let fixture = try BackendFixture(kind)
        let tooLong = String(repeating: "k", count: 1_025)
        let error = storeError { () throws(StoreError) in try fixture.backend.read(tooLong, from: .primary) }
        #expect(error?.code == .invalidKey)
        #expect(error?.path == fixture.backend.primaryName)
        #expect(
            storeError { () throws(StoreError) in try fixture.backend.pairs(after: nil, limit: 0) }?.code
                == .invalidArgument)
    }

    @Test(arguments: BackendKind.allCases)
    func theDualWriterWritesReadsAndCountsThroughAnyBackend(kind: BackendKind) async throws {
        let fixture = try BackendFixture(kind)
        let writer = try DualWriter(backend: fixture.backend, configuration: .init(mode: kind.mode))
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for i in 0..<50 {
                        _ = try? await writer.write(key: "t\(task)-\(i)", primary: [UInt8(task)], shadow: [UInt8(i)])
                    }
                }
            }
        }
        try await writer.delete(key: "t0-0")
        #expect(try writer.counts() == (primary: 199, shadow: 199))
        #expect(try writer.pendingRepairs() == 0)
        #expect(try writer.readPair("t3-49").sameWrite)
        #expect(try writer.read("t2-7", from: .shadow)?.payload == [7])
        var cursor = writer.pairCursor(pageSize: 16)
        var keys = 0
        while let pair = try cursor.next() {
            #expect(pair.sameWrite)
            keys += 1
        }
        #expect(keys == 199)
    }

    @Test
    func aShadowWriteThatFailsStaysPendingUntilRepair() async throws {
        let backend = InMemoryRecordBackend(mode: .outbox)
        let writer = try DualWriter(backend: backend, configuration: .init(shadowWrites: .inline))
        backend.failShadowWrites(for: ["bad"])
        let failure = await asyncStoreError { () async throws(StoreError) in
            try await writer.write(key: "bad", primary: [1], shadow: [2])
        }
        #expect(failure?.code == .shadowPending)
        #expect(failure?.key == "bad")
        #expect(try writer.read("bad", from: .primary)?.payload == [1])
        #expect(try writer.pendingRepairs() == 1)
        backend.failShadowWrites(for: [])
        #expect(try writer.repair() == 1)
        #expect(try writer.readPair("bad").sameWrite)
        #expect(try writer.pendingRepairs() == 0)
    }

    @Test
    func aWriterRefusesABackendOpenedForTheOtherMode() throws {
        let backend = InMemoryRecordBackend(mode: .atomic)
        let error = storeError { () throws(StoreError) in _ = try DualWriter(backend: backend) }
        #expect(error?.code == .invalidArgument)
    }
}
