import Foundation
import Testing

@testable import Tandem

@Suite("DualWriter")
struct DualWriterTests {
    @Test(arguments: DualWriteMode.allCases)
    func writeStampsTheSameSeqIntoBothStores(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, mode)
        let first = try await writer.write(key: "k", primary: [2, 2], shadow: [1])
        let second = try await writer.write(key: "k", primary: [2, 3], shadow: [4])
        #expect(first.seq == 1)
        #expect(second.seq == 2)
        let pair = try writer.readPair("k")
        #expect(pair.primary?.payload == [2, 3])
        #expect(pair.shadow?.payload == [4])
        #expect(pair.primary?.seq == 2)
        #expect(pair.shadow?.seq == 2)
        #expect(pair.primary?.writtenAt == second.writtenAt)
        #expect(pair.shadow?.writtenAt == second.writtenAt)
        #expect(try writer.pendingRepairs() == 0)
    }

    @Test(arguments: DualWriteMode.allCases)
    func deleteRemovesBothRowsAndSeqContinuesAfterIt(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, mode)
        try await writer.write(key: "k", primary: [1], shadow: [1])
        let deletion = try await writer.delete(key: "k")
        #expect(deletion.deleted)
        #expect(deletion.seq == 2)
        let pair = try writer.readPair("k")
        #expect(pair.primary == nil && pair.shadow == nil)
        // The tombstone keeps the sequence going: a restart at 1 would make a stale shadow look current.
        #expect(try await writer.write(key: "k", primary: [3], shadow: [3]).seq == 3)
        #expect(try writer.counts() == (primary: 1, shadow: 1))
    }

    @Test(arguments: DualWriteMode.allCases)
    func applyWritesManyOperationsInOneCall(mode: DualWriteMode) throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, mode)
        let ops: [DualWriteOp] =
            (0..<300).map { .put(key: "k\($0 % 100)", primary: [UInt8($0 % 256)], shadow: [7]) }
            + [.delete(key: "k5")]
        let receipts = try writer.apply(ops)
        #expect(receipts.count == 301)
        #expect(receipts[0].seq == 1 && receipts[100].seq == 2 && receipts[299].seq == 3)
        #expect(receipts[300] == WriteReceipt(key: "k5", seq: 4, writtenAt: receipts[300].writtenAt, deleted: true))
        #expect(try writer.counts() == (primary: 99, shadow: 99))
        #expect(try writer.readPair("k7").shadow?.seq == 3)
    }

    @Test(arguments: DualWriteMode.allCases)
    func applyWithAnInvalidKeyWritesNothing(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, mode)
        let ops: [DualWriteOp] = [
            .put(key: "good", primary: [1], shadow: [1]), .put(key: "", primary: [1], shadow: [1]),
        ]
        let error = storeError { () throws(StoreError) in try writer.apply(ops) }
        #expect(error?.code == .invalidKey)
        #expect(try writer.counts() == (primary: 0, shadow: 0))
        let tooLong = String(repeating: "x", count: 1025)
        let asyncError = await asyncStoreError { () async throws(StoreError) in
            try await writer.write(key: tooLong, primary: [1], shadow: [1])
        }
        #expect(asyncError?.code == .invalidKey)
        #expect(try writer.counts() == (primary: 0, shadow: 0))
    }

    @Test(arguments: DualWriteMode.allCases)
    func pairsMergeBothStoresInKeyOrderPageByPage(mode: DualWriteMode) throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try openWriter(dir, mode)
            try writer.apply((0..<50).map { .put(key: String(format: "key-%03d", $0), primary: [1], shadow: [1]) })
        }
        // Make keys that exist in only one store, as a hand edit or a lost write would.
        try executeSQL(dir.file("primary.sqlite"), "DELETE FROM tandem_records WHERE key IN ('key-000', 'key-010')")
        try executeSQL(dir.file("shadow.sqlite"), "DELETE FROM tandem_records WHERE key IN ('key-020', 'key-049')")
        try executeSQL(
            dir.file("shadow.sqlite"),
            "INSERT INTO tandem_records VALUES('key-999', x'01', 1, 0), ('a-first', x'01', 1, 0)")
        let writer = try openWriter(dir, mode)
        #expect(writer.repaired == 0)
        var cursor = writer.pairCursor(pageSize: 7)
        var pairs: [RecordPair] = []
        while let pair = try cursor.next() { pairs.append(pair) }
        #expect(pairs.count == 52)
        #expect(pairs.map(\.key) == pairs.map(\.key).sorted())
        #expect(pairs.first?.key == "a-first" && pairs.first?.primary == nil)
        #expect(pairs.last?.key == "key-999" && pairs.last?.primary == nil)
        let onlyShadow = pairs.filter { $0.primary == nil }.map(\.key)
        let onlyPrimary = pairs.filter { $0.shadow == nil }.map(\.key)
        #expect(onlyShadow == ["a-first", "key-000", "key-010", "key-999"])
        #expect(onlyPrimary == ["key-020", "key-049"])
        #expect(try writer.pairs(after: "key-047", limit: 3).map(\.key) == ["key-048", "key-049", "key-999"])
    }

    @Test func sameFileForBothStoresIsRejected() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("one.sqlite")
        let error = storeError { () throws(StoreError) in try DualWriter(primaryPath: path, shadowPath: path) }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: DualWriteMode.allCases)
    func openingWithShadowInMissingDirectoryFailsAndLeavesPrimaryUntouched(mode: DualWriteMode) throws {
        let dir = try TemporaryDirectory()
        let primary = dir.file("primary.sqlite")
        let shadow = dir.file("nope/shadow.sqlite")
        let error = storeError { () throws(StoreError) in
            try DualWriter(primaryPath: primary, shadowPath: shadow, configuration: .init(mode: mode))
        }
        #expect(error?.code == .openFailed)
        #expect(error?.path == shadow)
        #expect(error?.description.contains("nope/shadow.sqlite") == true)
        // The primary file may have been created empty by the open, but holds no tables.
        let size = (try? FileManager.default.attributesOfItem(atPath: primary)[.size] as? Int) ?? 0
        #expect(size == 0)
    }

    @Test(arguments: DualWriteMode.allCases)
    func openingGarbageShadowIsNotADatabaseAndChangesNeitherFile(mode: DualWriteMode) throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try openWriter(dir, mode)
            try writer.apply([.put(key: "a", primary: [1], shadow: [2])])
        }
        let garbage = Data(repeating: 0x42, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: dir.file("shadow.sqlite")))
        let primaryBefore = contents(dir.file("primary.sqlite"))
        let error = storeError { () throws(StoreError) in try openWriter(dir, mode) }
        #expect(error?.code == .notADatabase)
        #expect(error?.path == dir.file("shadow.sqlite"))
        #expect(contents(dir.file("shadow.sqlite")) == garbage)
        #expect(contents(dir.file("primary.sqlite")) == primaryBefore)
    }

    @Test(arguments: DualWriteMode.allCases)
    func aShadowWithAnotherTandemRecordsTableIsASchemaMismatchAndChangesNeitherFile(mode: DualWriteMode) throws {
        let dir = try TemporaryDirectory()
        do {
            let writer = try openWriter(dir, mode)
            try writer.apply([.put(key: "a", primary: [1], shadow: [2])])
        }
        try FileManager.default.removeItem(atPath: dir.file("shadow.sqlite"))
        try executeSQL(dir.file("shadow.sqlite"), "CREATE TABLE tandem_records(key TEXT PRIMARY KEY, value BLOB)")
        let primaryBefore = contents(dir.file("primary.sqlite"))
        let shadowBefore = contents(dir.file("shadow.sqlite"))
        let error = storeError { () throws(StoreError) in try openWriter(dir, mode) }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.path == dir.file("shadow.sqlite"))
        #expect(error?.message.contains("value BLOB") == true)
        #expect(contents(dir.file("shadow.sqlite")) == shadowBefore)
        #expect(contents(dir.file("primary.sqlite")) == primaryBefore)
    }
}
