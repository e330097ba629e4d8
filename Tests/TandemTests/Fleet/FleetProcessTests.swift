import Foundation
import Synchronization
import Tandem
import TandemTestSupport
import Testing

@testable import TandemPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// Four processes sharing one fleet ledger on the test server (DESIGN section 10, "Fleet ledger"): a divergence
/// planted in one opens the breaker of all, each applies it within a second, and killing the one that tripped it
/// changes nothing for the others.
@Suite("Fleet of processes", .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct FleetProcessTests {
    /// A running `tandem-fleet-member` and the lines it printed.
    final class Member: Sendable {
        let name: String
        let process: Process
        let lines = Mutex<[String]>([])

        init(binary: String, ledger: String, name: String, perMille: Int) throws {
            self.name = name
            process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [ledger, name, String(perMille)]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let handle = pipe.fileHandleForReading
            Thread { [self] in
                var pending = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let end = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[pending.startIndex..<end], as: UTF8.self)
                        pending.removeSubrange(pending.startIndex...end)
                        self.lines.withLock { $0.append(line) }
                    }
                }
            }.start()
        }

        func printed(_ line: String) -> Bool { lines.withLock { $0.contains(line) } }

        func kill() {
            if process.isRunning { killProcess(process.processIdentifier) }
            process.waitUntilExit()
        }
    }

    static func wait(seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            if Date() > deadline { throw Failure(description: "\(what) did not happen within \(seconds) s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    @Test
    func aDivergenceInOneInstanceOpensTheBreakerOfAllWithinASecondAndOutlivesIt() throws {
        let binary = try Binaries.url("tandem-fleet-member").path
        let server = try #require(PostgresTestServer.url)
        let table = "fleet" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let url = server + (server.contains("?") ? "&" : "?") + "table=\(table)"
        let reader = try PostgresLedgerBackend(location: PostgresLocation(url: url), instance: "test-reader")
        // 3% of one instance's comparisons differ; the budget is 0.1%.
        let members = try (0..<4).map { index in
            try Member(binary: binary, ledger: url, name: "member-\(index)", perMille: index == 0 ? 30 : 0)
        }
        defer { for member in members { member.kill() } }
        try Self.wait(seconds: 30, "every member starting") { members.allSatisfy { $0.printed("READY") } }

        try Self.wait(seconds: 30, "the fleet breaker opening") {
            try reader.state(FleetBreaker.stateRow).flatMap { FleetBreakerState.decode($0.value) }?.state == .open
        }
        let opened = try #require(try reader.state(FleetBreaker.stateRow))
        // Every instance applies the open version within a second of the change, by the server's clock.
        try Self.wait(seconds: 10, "every member applying the open state") {
            try members.allSatisfy { member in
                try reader.state(FleetBreaker.appliedRow(member.name)).map { String(decoding: $0.value, as: UTF8.self) }
                    == String(opened.version)
            }
        }
        for member in members {
            let applied = try #require(try reader.state(FleetBreaker.appliedRow(member.name)))
            #expect(
                applied.updatedAt - opened.updatedAt <= 1_000,
                "\(member.name) applied it \(applied.updatedAt - opened.updatedAt) ms after")
            #expect(applied.updatedAt >= opened.updatedAt)
        }
        try Self.wait(seconds: 5, "every member's own breaker halting") {
            members.allSatisfy { $0.printed("STATE open") }
        }
        let status = try FleetStatus.read(backend: reader)
        #expect(status.verdict.passed == false)
        #expect(Set(status.instances.map(\.name)).isSuperset(of: members.map(\.name)))

        // The instance that tripped it goes away; the fleet's breaker stays open for the others, and none of them
        // leaves the open state.
        let tripped = FleetBreakerState.decode(opened.value)?.by
        let killed = members.first { $0.name == tripped } ?? members[0]
        killed.kill()
        Thread.sleep(forTimeInterval: 2)
        let after = try #require(try reader.state(FleetBreaker.stateRow))
        #expect(after.version == opened.version)
        #expect(FleetBreakerState.decode(after.value)?.state == .open)
        for member in members where member !== killed {
            #expect(member.process.isRunning)
            #expect(member.lines.withLock { $0.last } == "STATE open", "\(member.name) still halts")
        }
    }
}

/// SIGKILL: the member gets no chance to tidy up.
private func killProcess(_ pid: Int32) {
    _ = kill(pid, SIGKILL)
}
