import ArgumentParser
import Foundation
import Tandem
import TandemReports

/// `tandem verify`: compares two existing stores in full, key by key, and gates on the result.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare an existing primary and shadow store in full, and gate on consistency.",
        discussion: """
            Streams both stores in key order (memory stays flat), reports records present on one side only, and
            compares every pair with the plan's rules. Pending outbox rows are replayed first (counted as repaired);
            no other row is ever rewritten, so a row changed by hand is reported, not repaired.

            Example:
              tandem verify Migrations/user-profile --primary primary.sqlite --shadow shadow.sqlite --report verify.json
            """
    )

    @Argument(help: ArgumentHelp("The plan directory (holds tandem.yaml).", valueName: "plan-dir"))
    var planDirectory: String

    @Option(help: ArgumentHelp("The primary (v2) store.", valueName: "db"))
    var primary: String

    @Option(help: ArgumentHelp("The shadow (v1) store.", valueName: "db"))
    var shadow: String

    @Option(help: ArgumentHelp("Ledger file; default: ledger.sqlite next to --primary.", valueName: "db"))
    var ledger: String?

    @OptionGroup var output: ReportOptions

    func run() throws {
        let console = Console(quiet: output.quiet)
        let outputs = try output.targets()
        let plan = try PlanLoading.load(planDirectory)
        for path in [primary, shadow] where !FileManager.default.fileExists(atPath: path) {
            throw CLIError.io("\(path): no such store")
        }
        let files = try RunFiles.resolve(primary: primary, shadow: shadow, ledger: ledger)
        let hook = TransitionHook()
        let engine: MigrationEngine
        do {
            engine = try MigrationEngine(
                plan: plan, primaryPath: files.primary, shadowPath: files.shadow,
                // Verify runs beside a live writer: no writer lock (the outbox replay on open is seq-conditional).
                configuration: MigrationEngine.Configuration(
                    writer: .init(exclusive: false), maxSamples: output.maxSamples),
                onTransition: hook.onTransition)
        } catch {
            throw CLIError.engine(error)
        }
        let started = Date()
        let runLedger = try RunLedger(
            path: files.ledger, durable: false, console: console,
            initial: engine.report(source: "verify", startedAt: started, timeline: []), hook: hook)
        let runner = VerifyRunner(engine: engine)
        do {
            try runner.run(
                progress: { console.progress($0, unit: "keys") },
                checkpoint: {
                    runLedger.checkpoint(
                        engine.report(source: "verify", startedAt: started, timeline: runner.timeline.points))
                })
        } catch {
            console.endProgress()
            throw CLIError.io(error.description)
        }
        console.endProgress()
        let report = engine.report(source: "verify", startedAt: started, timeline: runner.timeline.points)
        try runLedger.finish(report)
        try outputs.write(report)
        var shown: [(String, String)] = [("ledger", files.ledger)]
        for target in outputs.targets { shown.append(("report (\(target.format))", target.path)) }
        console.summary(RunSummary.render(report, files: shown))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
