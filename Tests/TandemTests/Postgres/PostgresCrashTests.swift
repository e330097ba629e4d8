import Foundation
import Tandem
import Testing

@testable import TandemPostgres

/// Writer processes killed with SIGKILL, and two writer processes on the same keys, over PostgreSQL tables (DESIGN
/// sections 9 and 10).
@Suite(
    "PostgreSQL crash safety", .serialized,
    .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresCrashTests {
    /// Every `ACK key seq` line of a child's output (complete lines only).
    static func acknowledgements(_ data: Data) -> [(key: String, seq: Int64)] {
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "ACK", let seq = Int64(fields[2]) else { return nil }
            return (String(fields[1]), seq)
        }
    }

    /// Starts writer children on the same tables, lets them write for `millis`, kills them all with SIGKILL, and
    /// returns each one's output.
    static func runAndKill(_ binary: String, _ argumentLists: [[String]], millis: Int) throws -> [Data] {
        var running: [(Process, Pipe)] = []
        for arguments in argumentLists {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            running.append((process, pipe))
        }
        // Drain the pipes while the children run, so that a full pipe never stalls them.
        let outputs = running.map { _, pipe in
            let box = OutputBox()
            let thread = Thread { box.set(pipe.fileHandleForReading.readDataToEndOfFile()) }
            thread.start()
            return box
        }
        usleep(UInt32(millis * 1_000))
        for (process, _) in running { kill(process.processIdentifier, SIGKILL) }
        for (process, _) in running { process.waitUntilExit() }
        return outputs.map { $0.wait() }
    }

    /// The tables as the writer children get them: named by an application name of their own, so that the test can
    /// wait for the server to finish what they left running.
    static func childTables() throws -> (primary: PostgresLocation, shadow: PostgresLocation, name: String) {
        var (primary, shadow) = try PostgresTestServer.freshTables()
        let name = "tandem-torture-" + UUID().uuidString.prefix(8).lowercased()
        primary.applicationName = name
        shadow.applicationName = name
        return (primary, shadow, name)
    }

    /// Waits until the server has no session of the killed children left. A statement a child sent before SIGKILL
    /// still runs, and may commit, after the child is gone; checking the stores before then would race with it.
    static func waitForSessionsToEnd(_ name: String) throws {
        var location = try PostgresTestServer.location()
        location.applicationName = "tandem-tests-admin"
        let session = try PostgresSession(location: location)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let left = try session.run { (client) throws(StoreError) -> Int64 in
                let rows = try client.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = \(name)")
                guard let row = rows.first else { return 0 }
                return try PostgresTables.decode(row, as: Int64.self, location: location)
            }
            if left == 0 { return }
            usleep(20_000)
        }
        Issue.record("the killed children's sessions did not end within 30 s")
    }

    /// Reopens the tables (the open replays pending outbox rows) and checks that every pair is one write.
    static func checkConverged(primary: PostgresLocation, shadow: PostgresLocation, mode: DualWriteMode) throws
        -> DualWriter
    {
        let backend = try PostgresRecordBackend(primary: primary, shadow: shadow, mode: mode)
        let writer = try DualWriter(backend: backend, configuration: .init(mode: mode))
        #expect(try writer.pendingRepairs() == 0)
        var cursor = writer.pairCursor(pageSize: 64)
        while let pair = try cursor.next() {
            #expect(pair.primary?.seq == pair.shadow?.seq, "\(pair.key) diverged after reopen")
            #expect(pair.primary?.writtenAt == pair.shadow?.writtenAt)
            #expect(pair.primary.map { [0x53] + $0.payload.reversed() } == pair.shadow?.payload)
        }
        return writer
    }

    @Test(arguments: DualWriteMode.allCases)
    func aKilledWriterLosesNoAcknowledgedWriteAndReopenConverges(mode: DualWriteMode) throws {
        let binary = try #require(
            tortureBinary(), "tandem-store-torture is not built next to the tests; run `swift build --build-tests`")
        let (primary, shadow, name) = try Self.childTables()
        var generator = SystemRandomNumberGenerator()
        var totalAcknowledged = 0
        for round in 0..<10 {
            let millis = Int.random(in: 200...700, using: &generator)
            let outputs = try Self.runAndKill(
                binary, [["write", mode.rawValue, primary.description, shadow.description, "r\(round)"]],
                millis: millis)
            try Self.waitForSessionsToEnd(name)
            let output = String(decoding: outputs[0].prefix(2_000), as: UTF8.self)
            #expect(!output.contains("ERROR"), "child failed: \(output)")
            var acknowledged: [String: Int64] = [:]
            for (key, seq) in Self.acknowledgements(outputs[0]) { acknowledged[key] = max(seq, acknowledged[key] ?? 0) }
            totalAcknowledged += acknowledged.count
            let writer = try Self.checkConverged(primary: primary, shadow: shadow, mode: mode)
            for (key, seq) in acknowledged {
                let pair = try writer.readPair(key)
                #expect(pair.primary != nil, "acknowledged key \(key) missing from primary after kill")
                #expect((pair.primary?.seq ?? 0) >= seq, "acknowledged seq \(seq) of \(key) lost")
            }
        }
        // The rounds really wrote something (a child that died at once would make this test vacuous).
        #expect(totalAcknowledged > 50)
    }

    @Test(arguments: DualWriteMode.allCases)
    func twoWriterProcessesOnTheSameKeysNeverShareASeqNorLeaveAStaleShadowRow(mode: DualWriteMode) throws {
        let binary = try #require(tortureBinary(), "tandem-store-torture is not built next to the tests")
        let (primary, shadow, name) = try Self.childTables()
        let outputs = try Self.runAndKill(
            binary,
            ["a", "b"].map { ["write", mode.rawValue, primary.description, shadow.description, $0] }, millis: 3_000)
        try Self.waitForSessionsToEnd(name)
        let first = Self.acknowledgements(outputs[0])
        let second = Self.acknowledgements(outputs[1])
        #expect(first.count > 5 && second.count > 5, "both writers must have written")
        // Both write the keys k0-0 ... k3-96: a seq acknowledged to one is never acknowledged to the other.
        let seen = Set(first.map { "\($0.key)#\($0.seq)" })
        let shared = second.filter { seen.contains("\($0.key)#\($0.seq)") }
        #expect(shared.isEmpty, "seqs given to both writers: \(shared.prefix(5))")
        let writer = try Self.checkConverged(primary: primary, shadow: shadow, mode: mode)
        var latest: [String: Int64] = [:]
        for (key, seq) in first + second { latest[key] = max(seq, latest[key] ?? 0) }
        for (key, seq) in latest {
            #expect((try writer.readPair(key).shadow?.seq ?? 0) >= seq, "the shadow of \(key) is older than an ack")
        }
    }
}

/// A child's output, handed from its reading thread to the test.
private final class OutputBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
