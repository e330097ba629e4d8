import ArgumentParser
import Foundation
import Tandem
import TandemReports

/// `tandem demo`: a guided run on a small plan with a planted bug, showing the gate failing and the breaker tripping.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a small plan and traffic with a planted bug, replay it, and show what Tandem finds.",
        discussion: """
            The demo migrates a user profile from v1 to v2 (a moved field, a timestamp turned into milliseconds, a \
            remapped enum). Its legacy writer has a bug in a few percent of writes; the replay finds it, the breaker \
            trips, and the reports say where.

            Example:
              tandem demo --out /tmp/tandem-demo
            """
    )

    @Option(
        help: ArgumentHelp(
            "Directory for the plan, traffic, stores and reports; default: a new temporary directory.", valueName: "dir"
        ))
    var out: String?

    func run() throws {
        let directory =
            out
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "tandem-demo-\(UUID().uuidString.prefix(8))"
            ).path
        let planDirectory = directory + "/plan"
        do {
            try FileManager.default.createDirectory(atPath: planDirectory, withIntermediateDirectories: true)
            for (name, text) in DemoFiles.plan {
                try Data(text.utf8).write(to: URL(fileURLWithPath: planDirectory + "/" + name))
            }
        } catch {
            throw CLIError.io("\(directory): cannot write the demo files: \(error.localizedDescription)")
        }
        let plan = try PlanLoading.load(planDirectory)
        let trafficPath = directory + "/traffic.jsonl"
        let generator = TrafficGenerator(
            plan: plan, configuration: .init(operations: 6000, seed: 2026, bugRate: 0.06, legacyRate: 0.5))
        var traffic = ""
        let buggy = generator.generate { traffic += $0 + "\n" }
        do {
            try Data(traffic.utf8).write(to: URL(fileURLWithPath: trafficPath))
            for store in ["primary.sqlite", "shadow.sqlite", "ledger.sqlite"] {
                try? FileManager.default.removeItem(atPath: directory + "/" + store)
                try? FileManager.default.removeItem(atPath: directory + "/" + store + "-wal")
                try? FileManager.default.removeItem(atPath: directory + "/" + store + "-shm")
            }
        } catch {
            throw CLIError.io("\(trafficPath): cannot write: \(error.localizedDescription)")
        }
        print(
            """
            Tandem demo: migrating \(plan.v1Message.fullName) -> \(plan.v2Message.fullName).
            1. Wrote a plan to \(planDirectory) (tandem.yaml, v1.proto, v2.proto).
            2. Generated 6000 traffic lines in \(trafficPath); the legacy writer corrupts one field in 6% of the
               legacy payloads it sends (\(buggy.count) keys end up diverging).
            3. Replaying: every write goes to the v2 primary and the v1 shadow; every read compares both.

            """)
        do {
            let files = RunFiles(
                primary: directory + "/primary.sqlite", shadow: directory + "/shadow.sqlite",
                ledger: directory + "/ledger.sqlite", temporaryDirectory: nil)
            let report = try ReplayRun.run(
                plan: plan, reader: try TrafficLineReader(path: trafficPath), trafficFile: trafficPath, files: files,
                writer: DualWriter.Configuration(durable: false), maxSamples: 100, console: Console(quiet: false)
            ).report
            let outputs = try ReportTargets(
                reports: [directory + "/report.json", directory + "/report.html"], formats: [])
            try outputs.write(report)
            print(
                RunSummary.render(
                    report,
                    files: [
                        ("primary", files.primary),
                        ("shadow", files.shadow),
                        ("ledger", files.ledger),
                        ("report", directory + "/report.json"),
                        ("report for people", directory + "/report.html"),
                    ]))
            if let example = report.mismatches.first(where: { buggy.contains($0.key) }) ?? report.mismatches.first {
                print(
                    """
                    Look at one divergent record:
                      tandem diff \(planDirectory) --primary \(directory)/primary.sqlite --shadow \(directory)/shadow.sqlite --key \(example.key)
                    Render the run again, in any format, from its ledger:
                      tandem report \(directory)/ledger.sqlite --out \(directory)/report.md
                    """)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.io("\(error)")
        }
    }
}
