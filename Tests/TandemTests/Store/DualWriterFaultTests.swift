import Foundation
import Testing

@testable import Tandem

/// Faults injected with a trigger in the shadow file, which aborts the shadow insert as a real failure would.
@Suite("DualWriter faults")
struct DualWriterFaultTests {
    static let failAll =
        "CREATE TRIGGER fail_shadow BEFORE INSERT ON tandem_records BEGIN SELECT RAISE(ABORT, 'injected'); END"
    static let failBad = """
        CREATE TRIGGER fail_shadow BEFORE INSERT ON tandem_records WHEN NEW.key LIKE 'bad%' \
        BEGIN SELECT RAISE(ABORT, 'injected'); END
        """

    /// Creates both files, then installs `trigger` in the shadow.
    func prepare(_ dir: TemporaryDirectory, _ mode: DualWriteMode, trigger: String) throws {
        do { _ = try openWriter(dir, mode) }
        try executeSQL(dir.file("shadow.sqlite"), trigger)
    }

    @Test func atomicModeLeavesNeitherRowWhenTheShadowInsertFails() async throws {
        let dir = try TemporaryDirectory()
        try prepare(dir, .atomic, trigger: Self.failAll)
        let writer = try openWriter(dir, .atomic)
        let error = await asyncStoreError { () async throws(StoreError) in
            try await writer.write(key: "k", primary: [1], shadow: [2])
        }
        #expect(error?.code == .writeFailed)
        #expect(error?.key == "k")
        #expect(error?.path == dir.file("shadow.sqlite"))
        #expect(error?.message.contains("injected") == true)
        let pair = try writer.readPair("k")
        #expect(pair.primary == nil && pair.shadow == nil)
        #expect(try writer.pendingRepairs() == 0)
        // The batch API is all or nothing: the good row goes too.
        let batchError = storeError { () throws(StoreError) in
            try writer.apply([.put(key: "good", primary: [1], shadow: [1]), .put(key: "k", primary: [1], shadow: [1])])
        }
        #expect(batchError?.code == .writeFailed)
        #expect(try writer.counts() == (primary: 0, shadow: 0))
    }

    @Test func outboxModeKeepsPrimaryAndPendingRowThenReopenConverges() async throws {
        let dir = try TemporaryDirectory()
        try prepare(dir, .outbox, trigger: Self.failAll)
        do {
            let writer = try openWriter(dir, .outbox)
            let error = await asyncStoreError { () async throws(StoreError) in
                try await writer.write(key: "k", primary: [1], shadow: [2])
            }
            #expect(error?.code == .shadowPending)
            #expect(error?.key == "k")
            #expect(error?.description.contains("shadow.sqlite") == true)
            let pair = try writer.readPair("k")
            #expect(pair.primary?.payload == [1])
            #expect(pair.primary?.seq == 1)
            #expect(pair.shadow == nil)
            #expect(try writer.pendingRepairs() == 1)
            // Repair cannot succeed while the fault is there, and says so.
            #expect(storeError { () throws(StoreError) in try writer.repair() }?.message.contains("injected") == true)
        }
        do {
            // Still failing: the open succeeds (so verify can report) and the row stays pending.
            let writer = try openWriter(dir, .outbox)
            #expect(writer.repaired == 0)
            #expect(try writer.pendingRepairs() == 1)
        }
        try executeSQL(dir.file("shadow.sqlite"), "DROP TRIGGER fail_shadow")
        let writer = try openWriter(dir, .outbox)
        #expect(writer.repaired == 1)
        #expect(try writer.pendingRepairs() == 0)
        let pair = try writer.readPair("k")
        #expect(pair.shadow == StoredRecord(key: "k", payload: [2], seq: 1, writtenAt: pair.primary?.writtenAt ?? -1))
    }

    @Test func outboxRepairOnDemandReplaysPendingDeletes() async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, .outbox)
        try await writer.write(key: "k", primary: [1], shadow: [2])
        try executeSQL(
            dir.file("shadow.sqlite"),
            "CREATE TRIGGER fail_delete BEFORE DELETE ON tandem_records BEGIN SELECT RAISE(ABORT, 'injected'); END")
        let error = await asyncStoreError { () async throws(StoreError) in try await writer.delete(key: "k") }
        #expect(error?.code == .shadowPending)
        #expect(try writer.readPair("k").primary == nil)
        #expect(try writer.readPair("k").shadow?.seq == 1)
        try executeSQL(dir.file("shadow.sqlite"), "DROP TRIGGER fail_delete")
        #expect(try writer.repair() == 1)
        #expect(try writer.readPair("k") == RecordPair(key: "k", primary: nil, shadow: nil))
    }

    @Test(arguments: DualWriteMode.allCases)
    func aFailingRowInAGroupDoesNotFailTheOthers(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        try prepare(dir, mode, trigger: Self.failBad)
        let writer = try openWriter(dir, mode)
        let results = await withTaskGroup(of: (String, Result<WriteReceipt, StoreError>).self) { group in
            for i in 0..<40 {
                let key = i % 10 == 3 ? "bad-\(i)" : "good-\(i)"
                group.addTask {
                    do {
                        return (key, .success(try await writer.write(key: key, primary: [1], shadow: [2])))
                    } catch let error as StoreError {
                        return (key, .failure(error))
                    } catch {
                        return (key, .failure(StoreError(code: .writeFailed, message: "unexpected \(error)")))
                    }
                }
            }
            var results: [(String, Result<WriteReceipt, StoreError>)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 40)
        for (key, result) in results {
            switch result {
            case .success(let receipt):
                #expect(key.hasPrefix("good"))
                #expect(receipt.key == key && receipt.seq == 1)
                let pair = try writer.readPair(key)
                #expect(pair.primary?.seq == 1 && pair.shadow?.seq == 1)
            case .failure(let error):
                #expect(key.hasPrefix("bad"))
                #expect(error.key == key)
                #expect(error.code == (mode == .atomic ? StoreError.Code.writeFailed : .shadowPending))
            }
        }
        let expectedPrimary = mode == .atomic ? 36 : 40
        #expect(try writer.counts() == (primary: expectedPrimary, shadow: 36))
        #expect(try writer.pendingRepairs() == (mode == .atomic ? 0 : 4))
        // applyEach reports per operation too.
        let outcomes = writer.applyEach([
            .put(key: "good-x", primary: [1], shadow: [1]), .put(key: "bad-x", primary: [1], shadow: [1]),
            .put(key: "", primary: [1], shadow: [1]),
        ])
        #expect((try? outcomes[0].get())?.seq == 1)
        #expect(throws: StoreError.self) { try outcomes[1].get() }
        #expect(throws: StoreError.self) { try outcomes[2].get() }
    }
}
