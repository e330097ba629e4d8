import Foundation
import Testing

@testable import Tandem

/// Kills a dual-writing child process with SIGKILL and checks what survived (DESIGN section 9).
@Suite("DualWriter crash safety", .serialized)
struct CrashTests {
    struct Run {
        var acknowledged: [String: Int64] = [:]
        var output = ""
    }

    /// Starts the torture child, lets it write for `millis`, kills it, and returns what it acknowledged.
    func runAndKill(_ binary: String, _ arguments: [String], millis: Int) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        usleep(UInt32(millis * 1_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        var run = Run()
        run.output = String(decoding: data.prefix(2_000), as: UTF8.self)
        // Only complete lines count: the process may die in the middle of printing one.
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "ACK", let seq = Int64(fields[2]) {
                let key = String(fields[1])
                run.acknowledged[key] = max(seq, run.acknowledged[key] ?? 0)
            }
        }
        return run
    }

    @Test(arguments: DualWriteMode.allCases)
    func killedWriterLosesNoAcknowledgedWriteAndReopenConverges(mode: DualWriteMode) throws {
        let binary = try #require(
            tortureBinary(), "tandem-store-torture is not built next to the tests; run `swift build --build-tests`")
        let dir = try TemporaryDirectory()
        let primary = dir.file("primary.sqlite")
        let shadow = dir.file("shadow.sqlite")
        var generator = SystemRandomNumberGenerator()
        var totalAcknowledged = 0
        for round in 0..<5 {
            let millis = Int.random(in: 150...600, using: &generator)
            let run = try runAndKill(binary, ["write", mode.rawValue, primary, shadow, "r\(round)"], millis: millis)
            #expect(!run.output.contains("ERROR"), "child failed: \(run.output)")
            totalAcknowledged += run.acknowledged.count
            let writer = try DualWriter(primaryPath: primary, shadowPath: shadow, configuration: .init(mode: mode))
            #expect(try writer.pendingRepairs() == 0)
            for (key, seq) in run.acknowledged {
                let pair = try writer.readPair(key)
                #expect(pair.primary != nil, "acknowledged key \(key) missing from primary after kill")
                #expect((pair.primary?.seq ?? 0) >= seq, "acknowledged seq \(seq) of \(key) lost")
            }
            var cursor = writer.pairCursor(pageSize: 64)
            while let pair = try cursor.next() {
                #expect(pair.primary?.seq == pair.shadow?.seq, "\(pair.key) diverged after reopen")
                #expect(pair.primary?.writtenAt == pair.shadow?.writtenAt)
                #expect(pair.primary.map { [0x53] + $0.payload.reversed() } == pair.shadow?.payload)
            }
        }
        // The rounds really wrote something (a child that died at once would make this test vacuous).
        #expect(totalAcknowledged > 50)
    }

    @Test(arguments: DualWriteMode.allCases)
    func writeProtectedFileIsAReadOnlyErrorAndStaysUnchanged(mode: DualWriteMode) throws {
        let binary = try #require(tortureBinary(), "tandem-store-torture is not built next to the tests")
        let dir = try TemporaryDirectory()
        let primary = dir.file("primary.sqlite")
        let shadow = dir.file("shadow.sqlite")
        do {
            let writer = try DualWriter(primaryPath: primary, shadowPath: shadow, configuration: .init(mode: mode))
            try writer.apply([.put(key: "a", primary: [1], shadow: [2])])
        }
        chmod(primary, 0o444)
        chmod(shadow, 0o444)
        let before = (contents(primary), contents(shadow))
        // The child drops root privileges before opening: root ignores file modes, a service does not.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["open", mode.rawValue, primary, shadow]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.hasPrefix("ERROR readOnly"), "\(output)")
        #expect(output.contains("primary.sqlite"))
        #expect(contents(primary) == before.0)
        #expect(contents(shadow) == before.1)
    }
}
