import ArgumentParser
import Foundation
import Tandem

/// `tandem generate-traffic`: synthesises realistic traffic for a plan (the generator behind Examples/traffic).
struct GenerateTrafficCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-traffic",
        abstract:
            "Write synthetic traffic (JSONL) for a plan: writes, reads, deletes, legacy payloads, cohorts, timestamps.",
        discussion: """
            Records are random but well-formed v2 messages; a share of writes carries the legacy v1 payload (the \
            projection of the v2 record), and --bug-rate makes that share of legacy payloads diverge in one field, as \
            a buggy legacy writer would. Keys are drawn from --keys distinct names (1,500 by default; raise it to \
            make large stores). The same --seed gives the same file.

            Example:
              tandem generate-traffic Migrations/orders --operations 6000 --seed 7 --out Examples/traffic/orders.jsonl
            """
    )

    @Argument(help: ArgumentHelp("The plan directory (holds tandem.yaml).", valueName: "plan-dir"))
    var planDirectory: String

    @Option(help: "Number of traffic lines.")
    var operations: Int = 5000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("bug-rate"), help: "Share of legacy v1 payloads that diverge (0 to 1).")
    var bugRate: Double = 0

    @Option(name: .customLong("legacy-rate"), help: "Share of writes that carry a legacy v1 payload (0 to 1).")
    var legacyRate: Double = 0.3

    @Option(help: ArgumentHelp("Number of distinct keys the operations draw from.", valueName: "n"))
    var keys: Int = 1500

    @Option(help: ArgumentHelp("Output file; standard output when omitted.", valueName: "file"))
    var out: String?

    func validate() throws {
        guard operations >= 0 else { throw ValidationError("--operations must be 0 or more") }
        guard (1...100_000_000).contains(keys) else { throw ValidationError("--keys must be between 1 and 100000000") }
        guard (0...1).contains(bugRate) else { throw ValidationError("--bug-rate must be between 0 and 1") }
        guard (0...1).contains(legacyRate) else { throw ValidationError("--legacy-rate must be between 0 and 1") }
    }

    func run() throws {
        let plan = try PlanLoading.load(planDirectory)
        let generator = TrafficGenerator(
            plan: plan,
            configuration: .init(
                operations: operations, seed: seed, bugRate: bugRate, legacyRate: legacyRate, keySpace: keys))
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil),
                let file = FileHandle(forWritingAtPath: out)
            else {
                throw CLIError.io("\(out): cannot create the traffic file")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        var buffer: [UInt8] = []
        generator.generate { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        if out != nil { try? handle.close() }
    }
}
