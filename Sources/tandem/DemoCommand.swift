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
            The demo migrates a user profile from v1 to v2 (a moved field, a timestamp turned into milliseconds, a
            remapped enum). Its legacy writer has a bug in a few percent of writes; the replay finds it, the breaker
            trips, and the reports say where.

            Example:
              tandem demo --out /tmp/tandem-demo
            """
    )

    @Option(help: ArgumentHelp("Directory for the plan, traffic, stores and reports; default: a new temporary directory.", valueName: "dir"))
    var out: String?

    func run() throws {
        let directory = out ?? FileManager.default.temporaryDirectory.appendingPathComponent("tandem-demo-\(UUID().uuidString.prefix(8))").path
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
        let generator = TrafficGenerator(plan: plan, configuration: .init(operations: 6000, seed: 2026, bugRate: 0.06, legacyRate: 0.5))
        var traffic = ""
        let buggy = generator.generate { traffic += $0 + "\n" }
        do {
            try Data(traffic.utf8).write(to: URL(fileURLWithPath: trafficPath))
            for store in ["primary.sqlite", "shadow.sqlite"] {
                try? FileManager.default.removeItem(atPath: directory + "/" + store)
                try? FileManager.default.removeItem(atPath: directory + "/" + store + "-wal")
                try? FileManager.default.removeItem(atPath: directory + "/" + store + "-shm")
            }
        } catch {
            throw CLIError.io("\(trafficPath): cannot write: \(error.localizedDescription)")
        }
        print("""
            Tandem demo: migrating \(plan.v1Message.fullName) -> \(plan.v2Message.fullName).
            1. Wrote a plan to \(planDirectory) (tandem.yaml, v1.proto, v2.proto).
            2. Generated 6000 traffic lines in \(trafficPath); the legacy writer corrupts one field in 6% of the
               legacy payloads it sends (\(buggy.count) keys end up diverging).
            3. Replaying: every write goes to the v2 primary and the v1 shadow; every read compares both.

            """)
        let clock = TrafficClock()
        let engine: MigrationEngine
        do {
            engine = try MigrationEngine(plan: plan, primaryPath: directory + "/primary.sqlite",
                                         shadowPath: directory + "/shadow.sqlite",
                                         configuration: .init(maxSamples: 100, clock: clock))
            let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: trafficPath)
            try runner.run(try TrafficLineReader(path: trafficPath))
            let report = engine.report(source: "replay", startedAt: Date(), timeline: runner.timeline.points)
            let outputs = try ReportTargets(reports: [directory + "/report.json"], formats: [])
            try outputs.write(report)
            print(RunSummary.render(report, files: [("primary", directory + "/primary.sqlite"),
                                                    ("shadow", directory + "/shadow.sqlite"),
                                                    ("report", directory + "/report.json")]))
            if let example = report.mismatches.first(where: { buggy.contains($0.key) }) ?? report.mismatches.first {
                print("""
                    Look at one divergent record:
                      tandem diff \(planDirectory) --primary \(directory)/primary.sqlite --shadow \(directory)/shadow.sqlite --key \(example.key)
                    """)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.io("\(error)")
        }
    }
}
