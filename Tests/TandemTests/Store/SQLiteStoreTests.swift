import Foundation
import Testing

@testable import Tandem

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test func putThenGetReturnsPayloadAndDeleteRemovesIt() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        let stored = try store.put(key: "a", payload: [1, 2, 3])
        #expect(stored.seq == 1)
        #expect(try store.get("a") == stored)
        #expect(try store.delete("a"))
        #expect(try store.get("a") == nil)
        #expect(try store.delete("a") == false)
        #expect(try store.count() == 0)
    }

    @Test func seqIncrementsOnEveryPutOfTheSameKey() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        for expected in Int64(1)...5 {
            #expect(try store.put(key: "k", payload: [UInt8(expected)]).seq == expected)
        }
        #expect(try store.put(key: "other", payload: []).seq == 1)
        #expect(try store.get("k")?.payload == [5])
    }

    @Test func emptyPayloadIsStoredAsEmptyNotNull() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        try store.put(key: "empty", payload: [])
        #expect(try store.get("empty")?.payload == [])
    }

    @Test func scanPagesThroughKeysInByteOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        // "Z" < "a" < "é" < "😀" in UTF-8 byte order.
        let keys = ["😀", "a", "b", "Z", "é", "a1", "aa"]
        for key in keys { try store.put(key: key, payload: bytes(key)) }
        var seen: [String] = []
        var after: String?
        while true {
            let page = try store.scan(after: after, limit: 3)
            #expect(page.count <= 3)
            guard let last = page.last else { break }
            seen += page.map(\.key)
            after = last.key
        }
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(seen == expected)
        #expect(seen == ["Z", "a", "a1", "aa", "b", "é", "😀"])
    }

    @Test func recordKeyOrderIsSQLiteByteOrderNotSwiftStringOrder() {
        // "e\u{301}" and "\u{E9}" are equal as Swift strings; in bytes, 0x65 0xCC 0x81 comes before 0xC3 0xA9.
        #expect(RecordKey.precedes("e\u{301}", "\u{E9}"))
        #expect(!RecordKey.precedes("\u{E9}", "e\u{301}"))
        #expect(RecordKey.precedes("a", "aa") && !RecordKey.precedes("aa", "a") && !RecordKey.precedes("a", "a"))
        #expect(RecordKey.precedes("", "a") && !RecordKey.precedes("", ""))
        let alphabet: [Character] = ["a", "b", "Z", "0", "\u{E9}", "e", "\u{301}", "😀", "\u{7F}"]
        let randomKey = {
            String((0..<Int.random(in: 0...4)).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
        }
        for _ in 0..<2000 {
            let left = randomKey()
            let right = randomKey()
            let bytes = Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
            #expect(RecordKey.precedes(left, right) == bytes, "\(Array(left.utf8)) vs \(Array(right.utf8))")
        }
    }

    @Test func batchGetAnswersInRequestOrderWithNilForMissing() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        try store.put(key: "x", payload: [1])
        try store.put(key: "y", payload: [2])
        let records = try store.get(keys: ["y", "missing", "x"])
        #expect(records.map { $0?.payload } == [[2], nil, [1]])
    }

    @Test(arguments: ["", String(repeating: "k", count: 1025), String(repeating: "é", count: 513)])
    func invalidKeyIsRejectedAndNothingIsWritten(key: String) throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        let error = storeError { () throws(StoreError) in try store.put(key: key, payload: [1]) }
        #expect(error?.code == .invalidKey)
        #expect(error?.description.contains("s.sqlite") == true)
        #expect(try store.count() == 0)
    }

    @Test func keyOfExactly1024BytesIsAccepted() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        let key = String(repeating: "k", count: 1024)
        try store.put(key: key, payload: [1])
        #expect(try store.get(key)?.payload == [1])
    }

    @Test func openingInMissingDirectoryIsOpenFailedAndCreatesNothing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("missing/s.sqlite")
        let error = storeError { () throws(StoreError) in try SQLiteStore(path: path) }
        #expect(error?.code == .openFailed)
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: dir.file("missing")))
    }

    @Test func openingGarbageIsNotADatabaseAndLeavesTheFileUnchanged() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("garbage.sqlite")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = storeError { () throws(StoreError) in try SQLiteStore(path: path) }
        #expect(error?.code == .notADatabase)
        #expect(contents(path) == garbage)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func damagedPagesAreReportedAsCorrupt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        do {
            let store = try SQLiteStore(path: path, configuration: .init(wal: false))
            for i in 0..<500 { try store.put(key: "key-\(i)", payload: Array(repeating: UInt8(i % 251), count: 200)) }
        }
        // Keep the 100-byte header (so it is still "a database") and trash every b-tree page after page 1.
        var data = try #require(contents(path))
        #expect(data.count > 8192)
        for index in 4096..<data.count { data[index] = 0xA5 }
        try data.write(to: URL(fileURLWithPath: path))
        let store = try? SQLiteStore(path: path, configuration: .init(wal: false))
        let error: StoreError?
        if let store {
            error = storeError { () throws(StoreError) in try store.scan(after: nil, limit: 1000) }
        } else {
            error = storeError { () throws(StoreError) in try SQLiteStore(path: path, configuration: .init(wal: false))
            }
        }
        #expect(error?.code == .corrupt)
    }

    @Test func readOnlyStoreServesReadsAndRejectsWritesWithoutChangingData() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try store.put(key: "a", payload: [1])
        }
        let store = try SQLiteStore(path: path, configuration: .init(readOnly: true))
        #expect(try store.get("a")?.payload == [1])
        let error = storeError { () throws(StoreError) in try store.put(key: "a", payload: [9]) }
        #expect(error?.code == .readOnly)
        #expect(error?.key == "a")
        let deleteError = storeError { () throws(StoreError) in try store.delete("a") }
        #expect(deleteError?.code == .readOnly)
        #expect(try store.get("a")?.payload == [1])
    }

    @Test func lockHeldLongerThanBusyTimeoutIsReportedAsLocked() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        let store = try SQLiteStore(path: path, configuration: .init(busyTimeout: .milliseconds(20)))
        let holder = try SQLiteConnection(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        let error = storeError { () throws(StoreError) in try store.put(key: "a", payload: [1]) }
        #expect(error?.code == .locked)
        try holder.execute("ROLLBACK")
        #expect(try store.put(key: "a", payload: [1]).seq == 1)
    }

    @Test func anotherTandemRecordsTableIsASchemaMismatchAndLeftAsItWas() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("s.sqlite")
        try executeSQL(
            path, "CREATE TABLE tandem_records(key TEXT PRIMARY KEY, payload BLOB NOT NULL, seq TEXT NOT NULL)")
        let before = contents(path)
        for readOnly in [false, true] {
            let error = storeError { () throws(StoreError) in
                try SQLiteStore(path: path, configuration: .init(readOnly: readOnly))
            }
            #expect(error?.code == .schemaMismatch)
            #expect(error?.path == path)
            #expect(error?.message.contains("seq TEXT") == true)
        }
        #expect(contents(path) == before)
        // The documented table, created by hand (NOT NULL on the key left implicit), is accepted.
        let other = dir.file("t.sqlite")
        try executeSQL(
            other,
            "CREATE TABLE tandem_records(key TEXT PRIMARY KEY, payload BLOB NOT NULL, seq INTEGER NOT NULL, "
                + "written_at INTEGER NOT NULL) WITHOUT ROWID")
        #expect(try SQLiteStore(path: other).put(key: "a", payload: [1]).seq == 1)
    }
}

extension SQLiteStoreTests {
    /// SQLite's memory statistics take a process-wide mutex on every allocation; Tandem turns them off before its
    /// first connection opens (the read path and the comparator met on that mutex).
    @Test func sqliteMemoryStatisticsAreOff() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("s.sqlite"))
        for i in 0..<100 { _ = try store.put(key: "k\(i)", payload: [UInt8](repeating: 1, count: 500)) }
        #expect(SQLiteConnection.sqliteMemoryInUse == 0)
    }
}
