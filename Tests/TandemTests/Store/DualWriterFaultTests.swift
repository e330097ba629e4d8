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

    @Test(arguments: ShadowWriteTiming.allCases)
    func outboxModeKeepsPrimaryAndPendingRowThenReopenConverges(timing: ShadowWriteTiming) async throws {
        let dir = try TemporaryDirectory()
        try prepare(dir, .outbox, trigger: Self.failAll)
        do {
            let failures = ShadowFailures()
            let writer = try openWriter(dir, .outbox, shadowWrites: timing, failures: failures)
            let result = await asyncStoreResult { () async throws(StoreError) in
                try await writer.write(key: "k", primary: [1], shadow: [2])
            }
            let error: StoreError?
            switch timing {
            case .inline:
                error = result.failure
                #expect(failures.all.isEmpty)
            case .deferred:
                // The caller's write succeeded at the primary commit; the failure is reported instead.
                #expect(result.success?.seq == 1)
                writer.waitForShadowWrites()
                let reported = failures.all(expecting: 1)
                error = reported.first
                #expect(reported.count == 1)
                #expect(writer.failedShadowWrites == 1)
                // The failed row is no longer answered from the relay's queue: the shadow has no row.
                #expect(try writer.read("k", from: .shadow) == nil)
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

    @Test(arguments: ShadowWriteTiming.allCases)
    func outboxRepairOnDemandReplaysPendingDeletes(timing: ShadowWriteTiming) async throws {
        let dir = try TemporaryDirectory()
        let failures = ShadowFailures()
        let writer = try openWriter(dir, .outbox, shadowWrites: timing, failures: failures)
        try await writer.write(key: "k", primary: [1], shadow: [2])
        writer.waitForShadowWrites()
        try executeSQL(
            dir.file("shadow.sqlite"),
            "CREATE TRIGGER fail_delete BEFORE DELETE ON tandem_records BEGIN SELECT RAISE(ABORT, 'injected'); END")
        let result = await asyncStoreResult { () async throws(StoreError) in try await writer.delete(key: "k") }
        writer.waitForShadowWrites()
        let reported = failures.all(expecting: timing == .inline ? 0 : 1)
        let error = timing == .inline ? result.failure : reported.first
        #expect(error?.code == .shadowPending)
        #expect(timing == .inline ? reported.isEmpty : result.success?.seq == 2)
        #expect(try writer.readPair("k").primary == nil)
        #expect(try writer.readPair("k").shadow?.seq == 1)
        try executeSQL(dir.file("shadow.sqlite"), "DROP TRIGGER fail_delete")
        #expect(try writer.repair() == 1)
        #expect(try writer.readPair("k") == RecordPair(key: "k", primary: nil, shadow: nil))
    }

    static let modesAndTimings: [(DualWriteMode, ShadowWriteTiming)] = [
        (.atomic, .inline), (.outbox, .inline), (.outbox, .deferred),
    ]

    @Test(arguments: modesAndTimings)
    func aFailingRowInAGroupDoesNotFailTheOthers(mode: DualWriteMode, timing: ShadowWriteTiming) async throws {
        let dir = try TemporaryDirectory()
        try prepare(dir, mode, trigger: Self.failBad)
        let failures = ShadowFailures()
        let writer = try openWriter(dir, mode, shadowWrites: timing, failures: failures)
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
            case .success(let receipt) where key.hasPrefix("bad"):
                // Deferred: the bad row's primary committed; its shadow failure is reported, not thrown.
                #expect(mode == .outbox && timing == .deferred)
                #expect(receipt.key == key && receipt.seq == 1)
                #expect(try writer.readPair(key).shadow == nil)
            case .success(let receipt):
                #expect(receipt.key == key && receipt.seq == 1)
                let pair = try writer.readPair(key)
                #expect(pair.primary?.seq == 1 && pair.shadow?.seq == 1)
            case .failure(let error):
                #expect(key.hasPrefix("bad"))
                #expect(error.key == key)
                #expect(error.code == (mode == .atomic ? StoreError.Code.writeFailed : .shadowPending))
            }
        }
        writer.waitForShadowWrites()
        let reported = failures.all(expecting: timing == .deferred ? 4 : 0)
        #expect(reported.count == (timing == .deferred ? 4 : 0))
        #expect(reported.allSatisfy { $0.code == .shadowPending && $0.key?.hasPrefix("bad") == true })
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
