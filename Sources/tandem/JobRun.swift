import ArgumentParser
import Foundation
import Tandem
import TandemReports

/// What `backfill` and `repair` share: the plan, an engine over existing stores that runs beside a live writer (no
/// writer lock; every write conditional), the run's ledger, and the report written at checkpoints and at the end.
final class JobRun {
    let console: Console
    let outputs: ReportTargets
    let plan: MigrationPlan
    let files: RunFiles
    let engine: MigrationEngine
    let ledger: RunLedger
    let source: String
    let started = Date()

    /// Opens the stores and the ledger. `requireShadow`: the shadow store must exist already
    /// (it is created when a backfill fills it).
    init(
        source: String, plan: MigrationPlan, primary: String, shadow: String, ledger: String?,
        output: ReportOptions, initialJob: Report.Job, requirePrimary: Bool = true, requireShadow: Bool = true
    ) throws(CLIError) {
        self.source = source
        console = Console(quiet: output.quiet)
        outputs = try output.targets()
        self.plan = plan
        for (path, required) in [(primary, requirePrimary), (shadow, requireShadow)]
        where required && !FileManager.default.fileExists(atPath: path) {
            throw CLIError.io("\(path): no such store")
        }
        files = try RunFiles.resolve(primary: primary, shadow: shadow, ledger: ledger)
        let hook = TransitionHook()
        do {
            engine = try MigrationEngine(
                plan: plan, primaryPath: files.primary, shadowPath: files.shadow,
                // DESIGN 11: beside a live writer, with conditional writes only (no writer lock).
                configuration: MigrationEngine.Configuration(
                    writer: .init(exclusive: false), maxSamples: output.maxSamples),
                onTransition: hook.onTransition)
        } catch {
            throw CLIError.engine(error)
        }
        var initial = engine.report(source: source, startedAt: started, timeline: [])
        initial.job = initialJob
        self.ledger = try RunLedger(
            path: files.ledger, durable: false, console: console, initial: initial, hook: hook)
    }

    /// The run's report as of now, with `job`.
    func report(_ job: Report.Job) -> Report {
        var report = engine.report(source: source, startedAt: started, timeline: [])
        report.job = job
        return report
    }

    /// Writes the final checkpoint and the reports, prints the summary and the listed keys, and exits as the job
    /// says (0 done, 1 some keys not filled or repaired).
    func finish(_ job: Report.Job) throws {
        console.endProgress()
        let report = report(job)
        try ledger.finish(report)
        try outputs.write(report)
        var shown: [(String, String)] = [("ledger", files.ledger)]
        for target in outputs.targets { shown.append(("report (\(target.format))", target.path)) }
        console.summary(RunSummary.render(report, files: shown))
        let failures = job.entries.filter { $0.action != .repaired && $0.action != .wouldRepair }
        for entry in failures.prefix(20) {
            console.warning("\(source): key \(entry.key): \(entry.action.rawValue): \(entry.reason ?? "")")
        }
        if failures.count > 20 || job.entriesOmitted > 0 {
            console.warning(
                "\(source): \(job.unresolved - min(failures.count, 20)) more keys not done; every one is in the ledger")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// A store failure mid-run: the ledger keeps what was done, and the run exits 3.
    func fail(_ error: EngineError, job: Report.Job) -> CLIError {
        console.endProgress()
        ledger.checkpoint(report(job))
        return CLIError.io(error.description)
    }
}
