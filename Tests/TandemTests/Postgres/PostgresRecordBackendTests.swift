import Foundation
import Synchronization
import Tandem
import Testing

@testable import TandemPostgres

/// What the PostgreSQL backend does beyond the backend contract suite: its refusals, its tables, and connections
/// lost mid-run (DESIGN section 10).
@Suite(
    "PostgreSQL record backend", .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresRecordBackendTests {
    /// Runs SQL on the test server, on a connection of its own.
    static func sql(_ text: String, database: String? = nil) throws {
        var location = try PostgresTestServer.location()
        if let database { location.database = database }
        location.applicationName = "tandem-tests-admin"
        let session = try PostgresSession(location: location)
        try session.run { (client) throws(StoreError) in try client.execute(text) }
    }

    @Test
    func bothStoresNamingOneTableAreRefused() throws {
        let (primary, _) = try PostgresTestServer.freshTables()
        let error = storeError { () throws(StoreError) in
            _ = try PostgresRecordBackend(primary: primary, shadow: primary)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("different tables") == true)
    }

    @Test
    func atomicModeNeedsOneDatabaseAndOutboxModeSpansTwo() throws {
        let (primary, shadow) = try PostgresTestServer.freshTables()
        let database = "tandem_other_\(UUID().uuidString.prefix(8).lowercased())"
        try Self.sql("CREATE DATABASE \(database)")
        var elsewhere = shadow
        elsewhere.database = database
        let error = storeError { () throws(StoreError) in
            _ = try PostgresRecordBackend(primary: primary, shadow: elsewhere, mode: .atomic)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("use outbox mode") == true)

        let backend = try PostgresRecordBackend(primary: primary, shadow: elsewhere, mode: .outbox)
        let writer = try DualWriter(backend: backend, configuration: .init(mode: .outbox))
        try writer.apply([.put(key: "a", primary: [1], shadow: [2]), .put(key: "b", primary: [3], shadow: [4])])
        try writer.apply([.delete(key: "b")])
        let pair = try writer.readPair("a")
        #expect(pair.primary?.payload == [1] && pair.shadow?.payload == [2] && pair.sameWrite)
        #expect(try writer.readPair("b") == RecordPair(key: "b", primary: nil, shadow: nil))
        #expect(try backend.counts() == (primary: 1, shadow: 1))
    }

    /// A group of distinct keys is written in one statement, a group repeating a key one write at a time: both give
    /// each write the next seq of its key, settle the relay's outbox rows and leave every pair one write.
    @Test(arguments: DualWriteMode.allCases)
    func groupsOfWritesGetTheSameSeqsAsWritesOneByOne(mode: DualWriteMode) throws {
        let (primary, shadow) = try PostgresTestServer.freshTables()
        let backend = try PostgresRecordBackend(primary: primary, shadow: shadow, mode: mode)
        let writer = try DualWriter(backend: backend, configuration: .init(mode: mode))
        let first = try writer.apply(
            ["a", "b", "c", "d"].map { .put(key: $0, primary: Array($0.utf8), shadow: [0x53] + Array($0.utf8)) })
        #expect(first.map(\.seq) == [1, 1, 1, 1])
        // Distinct keys, puts and deletes mixed (one statement).
        let second = try writer.apply([
            .put(key: "a", primary: [1], shadow: [2]), .delete(key: "b"), .put(key: "e", primary: [5], shadow: [6]),
            .delete(key: "zz"),
        ])
        #expect(second.map(\.seq) == [2, 2, 1, 1])
        #expect(second.map(\.deleted) == [false, true, false, true])
        // A key twice in one group (one write at a time, in order).
        let third = try writer.apply([
            .put(key: "c", primary: [7], shadow: [8]), .put(key: "c", primary: [9], shadow: [10]),
            .delete(key: "d"),
        ])
        #expect(third.map(\.seq) == [2, 3, 2])
        writer.waitForShadowWrites()
        #expect(try writer.pendingRepairs() == 0)
        let a = try writer.readPair("a")
        #expect(a.primary?.payload == [1] && a.shadow?.payload == [2] && a.sameWrite && a.primary?.seq == 2)
        let c = try writer.readPair("c")
        #expect(c.primary?.payload == [9] && c.shadow?.payload == [10] && c.sameWrite && c.primary?.seq == 3)
        #expect(try writer.readPair("b") == RecordPair(key: "b", primary: nil, shadow: nil))
        #expect(try writer.readPair("d") == RecordPair(key: "d", primary: nil, shadow: nil))
        #expect(try backend.counts() == (primary: 3, shadow: 3))  // a, c, e
        #expect(backend.rowByRowRetries.load(ordering: .relaxed) == 0, "a group's one statement failed")
        // A deleted key written again continues above its tombstone.
        let again = try writer.apply([
            .put(key: "b", primary: [1], shadow: [1]), .put(key: "f", primary: [1], shadow: [1]),
        ])
        #expect(again.map(\.seq) == [3, 1])
    }

    /// With both tables in one database the relay's statement removes the outbox rows of what it wrote (a row a
    /// later write replaced stays), and the writer then skips them when they come back as settled.
    /// Sixteen writers on shared keys: groups commit on both of the backend's connections at once, and every key's seqs
    /// still run 1...n with both tables holding its newest write.
    @Test(arguments: DualWriteMode.allCases)
    func concurrentWritersCommitOnBothConnectionsKeepingEveryKeyInOrder(mode: DualWriteMode) async throws {
        let (primary, shadow) = try PostgresTestServer.freshTables()
        let backend = try PostgresRecordBackend(primary: primary, shadow: shadow, mode: mode)
        let writer = try DualWriter(backend: backend, configuration: .init(mode: mode))
        let receipts = try await writeConcurrently(writer, tasks: 16, writes: 40, keys: 30)
        try expectEveryKeyInOrder(writer, receipts)
        #expect(backend.mostConcurrentCommits.load(ordering: .relaxed) == PostgresRecordBackend.commitConnections)
        #expect(backend.rowByRowRetries.load(ordering: .relaxed) == 0, "a group's one statement failed")
    }

    @Test
    func theRelayRemovesTheOutboxRowsOfWhatItWroteInTheSameStatement() throws {
        let (primary, shadow) = try PostgresTestServer.freshTables()
        let backend = try PostgresRecordBackend(primary: primary, shadow: shadow, mode: .outbox)
        let ops: [DualWriteOp] = [.put(key: "a", primary: [1], shadow: [2]), .put(key: "b", primary: [3], shadow: [4])]
        let receipts = try backend.commitPrimary(ops[...], settling: [], isolateRows: false).get().map { try $0.get() }
        let newer = try backend.commitPrimary(
            [.put(key: "b", primary: [5], shadow: [6])][...], settling: [], isolateRows: false
        ).get().map { try $0.get() }
        #expect(backend.applyShadow(zip(ops, receipts).map { ShadowWrite(op: $0, receipt: $1) }).isEmpty)
        #expect(try backend.pendingOutbox(after: nil, limit: 10).map(\.receipt) == newer)
        #expect(backend.removedByRelay.withLock { $0 } == [OutboxRow(key: "a", seq: receipts[0].seq)])
        let settled = receipts.map { OutboxRow(key: $0.key, seq: $0.seq) }
        _ = try backend.commitPrimary(
            [.put(key: "c", primary: [7], shadow: [8])][...], settling: settled, isolateRows: false
        ).get()
        #expect(backend.removedByRelay.withLock { $0 }.isEmpty)
        #expect(try backend.pendingOutbox(after: nil, limit: 10).map(\.receipt.key) == ["b", "c"])
    }

    @Test
    func aTableWithOtherColumnsIsRefusedAndLeftAsItWas() throws {
        let (primary, shadow) = try PostgresTestServer.freshTables()
        let table = try #require(primary.table)
        try Self.sql("CREATE TABLE \(table) (key TEXT PRIMARY KEY, body BYTEA)")
        try Self.sql("INSERT INTO \(table) VALUES ('k', 'x')")
        let error = storeError { () throws(StoreError) in
            _ = try PostgresRecordBackend(primary: primary, shadow: shadow)
        }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.message.contains("key text, body bytea") == true, "\(String(describing: error))")
        #expect(error?.path == primary.description)
        // Nothing changed: the shadow table was not created, and the primary still has its one row.
        let reader = try PostgresSession(location: primary)
        let (shadowExists, rows) = try reader.run { (client) throws(StoreError) -> (Bool, Int64) in
            guard let exists = try client.query("SELECT to_regclass(\(shadow.table ?? "")) IS NOT NULL").first,
                let count = try client.query("SELECT count(*) FROM \(unescaped: table)").first
            else { return (true, 0) }
            return (
                try PostgresTables.decode(exists, as: Bool.self, location: primary),
                try PostgresTables.decode(count, as: Int64.self, location: primary)
            )
        }
        #expect(!shadowExists)
        #expect(rows == 1)
    }

    @Test(arguments: DualWriteMode.allCases)
    func writesGoOnWhileTheServerDropsEveryConnection(mode: DualWriteMode) throws {
        var (primary, shadow) = try PostgresTestServer.freshTables()
        let name = "tandem-drop-\(UUID().uuidString.prefix(8))"
        primary.applicationName = name
        shadow.applicationName = name
        let events = Mutex<[PostgresConnectionEvent]>([])
        let backend = try PostgresRecordBackend(
            primary: primary, shadow: shadow, mode: mode,
            onConnectionEvent: { event in events.withLock { $0.append(event) } })
        let writer = try DualWriter(backend: backend, configuration: .init(mode: mode))
        let done = Atomic<Bool>(false)
        let killer = Thread {
            while !done.load(ordering: .acquiring) {
                try? Self.sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)'")
                usleep(30_000)
            }
        }
        killer.start()
        defer { done.store(true, ordering: .releasing) }
        // At least 60 rounds, and on until the writer has lost and got back a connection a few times (a fast
        // machine finishes 60 rounds before the first kill lands); a time limit ends a run that never sees one.
        func sawLossesAndRestores() -> Bool {
            events.withLock { events in
                events.count { if case .lost = $0 { true } else { false } } >= 3
                    && events.contains { if case .restored = $0 { true } else { false } }
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        var round = 0
        while round < 60 || (!sawLossesAndRestores() && ContinuousClock.now < deadline) {
            let ops = (0..<5).map { i in
                DualWriteOp.put(
                    key: "k\(i)", primary: [UInt8(round % 256), UInt8(i)], shadow: [UInt8(i), UInt8(round % 256)])
            }
            try writer.apply(ops)
            round += 1
        }
        done.store(true, ordering: .releasing)
        #expect(sawLossesAndRestores(), "the writer lost and got back its connections: \(events.withLock { $0 })")
        let last = UInt8((round - 1) % 256)
        for i in 0..<5 {
            let pair = try writer.readPair("k\(i)")
            #expect(pair.primary?.payload == [last, UInt8(i)], "the last acknowledged write of k\(i) is there")
            #expect(pair.shadow?.payload == [UInt8(i), last])
            #expect(pair.sameWrite)
        }
        #expect(try writer.pendingRepairs() == 0)
    }

    @Test
    func anUnreachableServerFailsOnceTheRetryBudgetIsSpentNamingTheStore() throws {
        var (primary, shadow) = try PostgresTestServer.freshTables()
        primary.port = 1
        shadow.port = 1
        let started = ContinuousClock.now
        let error = storeError { () throws(StoreError) in
            _ = try PostgresRecordBackend(primary: primary, shadow: shadow, retryBudget: .milliseconds(400))
        }
        #expect(error?.code == .connectionLost)
        #expect(error?.path == primary.description)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
