import Foundation
import Testing

@testable import Tandem

/// Issue 19: a store is a file, not a spelling of its path, and one writer holds it at a time.
@Suite("Store identity and the writer lock")
struct StoreIdentityTests {
    @Test
    func oneFileNamedTwoWaysIsRefusedAsPrimaryAndShadow() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("x.sqlite")
        let link = dir.file("link.sqlite")
        _ = try SQLiteStore(path: path)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        let spellings = [
            dir.path + "/./x.sqlite", dir.path + "/sub/../x.sqlite", link,
        ]
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        for other in spellings {
            let error = storeError { () throws(StoreError) in
                _ = try DualWriter(primaryPath: path, shadowPath: other)
            }
            #expect(error?.code == .invalidArgument, "\(other)")
            #expect(error?.message.contains("same file") == true)
        }
        // Not existing yet, named two ways: the same.
        let fresh = storeError { () throws(StoreError) in
            _ = try DualWriter(primaryPath: dir.file("new.sqlite"), shadowPath: dir.path + "/./new.sqlite")
        }
        #expect(fresh?.code == .invalidArgument)
    }

    @Test
    func aSecondWriterOfTheSameStoresIsRefusedNamingTheHolder() throws {
        let dir = try TemporaryDirectory()
        var first: DualWriter? = try DualWriter(primaryPath: dir.file("p.sqlite"), shadowPath: dir.file("s.sqlite"))
        #expect(first != nil)
        for (primary, shadow) in [
            (dir.file("p.sqlite"), dir.file("s.sqlite")), (dir.path + "/./p.sqlite", dir.file("other.sqlite")),
            (dir.file("other2.sqlite"), dir.path + "/../" + (dir.path as NSString).lastPathComponent + "/s.sqlite"),
        ] {
            let error = storeError { () throws(StoreError) in
                _ = try DualWriter(primaryPath: primary, shadowPath: shadow)
            }
            #expect(error?.code == .locked, "\(primary) \(shadow)")
            #expect(error?.message.contains("pid \(getpid())") == true)
        }
        // Verify-style opens take no writer lock and run beside the writer.
        let beside = try DualWriter(
            primaryPath: dir.file("p.sqlite"), shadowPath: dir.file("s.sqlite"),
            configuration: .init(exclusive: false))
        #expect(try beside.counts() == (primary: 0, shadow: 0))
        // The lock goes with its holder.
        first = nil
        _ = try DualWriter(primaryPath: dir.file("p.sqlite"), shadowPath: dir.file("s.sqlite"))
    }

    @Test
    func anSQLiteDatabaseWithOtherTablesIsNotAStoreAndIsLeftAlone() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("app.sqlite")
        try executeSQL(path, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'a')")
        let before = contents(path)
        let error = storeError { () throws(StoreError) in
            _ = try DualWriter(primaryPath: path, shadowPath: dir.file("s.sqlite"))
        }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.message.contains("users") == true)
        #expect(contents(path) == before)
        #expect(storeError { () throws(StoreError) in _ = try SQLiteStore(path: path) }?.code == .schemaMismatch)
    }

    @Test
    func aReplayedOutboxRowNeverOverwritesANewerShadowRow() throws {
        let dir = try TemporaryDirectory()
        let backend = try SQLiteRecordBackend(primaryPath: dir.file("p.sqlite"), shadowPath: dir.file("s.sqlite"))
        let receipts = try backend.commitPrimary(
            [DualWriteOp.put(key: "k", primary: [1], shadow: [1])][...], settling: [], isolateRows: false
        ).get().map { try $0.get() }
        // A newer write of the key reached the shadow (another process's relay) before this outbox row is replayed.
        let newer = StoredRecord(key: "k", payload: [9], seq: 5, writtenAt: 1)
        #expect(
            try backend.conditionalWrite(ConditionalWrite(side: .shadow, record: newer, condition: .absent)) == .written
        )
        let replay = backend.replayOutbox()
        #expect(replay.replayed == 0)
        #expect(try backend.read("k", from: .shadow) == newer)
        #expect(try backend.pendingOutboxCount() == 0)
        #expect(receipts.first?.seq == 1)
    }
}
