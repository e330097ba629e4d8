import ArgumentParser
import Foundation
import Tandem
import TandemPostgres
import TandemReports

/// What `verify`, `backfill` and `repair` share: the plan, an engine over existing stores that runs beside a live
/// writer (no writer lock; backfill and repair write only conditionally), the run's ledger, and the report written at
/// checkpoints and at the end.
final class StoreRun {
    let console: Console
    let outputs: ReportTargets
    let plan: MigrationPlan
    let files: RunFiles
    let engine: MigrationEngine
    let ledger: RunLedger
    let source: Report.Source
    let started = Date()

    /// Opens the stores and the ledger, whose first checkpoint is the empty report (with `initialJob`, for backfill
    /// and repair). `requirePrimary`, `requireShadow`: the store must exist already (a backfill creates the store it
    /// fills).
    init(
        source: Report.Source, plan: MigrationPlan, stores: StoreOptions, output: ReportOptions,
        initialJob: Report.Job?,
        requirePrimary: Bool = true, requireShadow: Bool = true
    ) throws(CLIError) {
        self.source = source
        console = Console(quiet: output.quiet)
        outputs = try output.targets()
        self.plan = plan
        for (path, required) in [(stores.primary, requirePrimary), (stores.shadow, requireShadow)]
        where required && !RecordBackends.isServerStore(path) && !FileManager.default.fileExists(atPath: path) {
            throw CLIError.io("\(path): no such store")
        }
        files = try RunFiles.resolve(primary: stores.primary, shadow: stores.shadow, ledger: stores.ledger)
        let hook = TransitionHook()
        do {
            engine = try MigrationEngine(
                plan: plan, primary: files.primary, shadow: files.shadow,
                // DESIGN 11: beside a live writer, with conditional writes only (no writer lock).
                configuration: MigrationEngine.Configuration(
                    writer: .init(exclusive: false), maxSamples: output.maxSamples),
                onTransition: hook.onTransition, onConnectionEvent: { [console] in console.warning($0.description) })
        } catch {
            throw CLIError.engine(error)
        }
        var initial = engine.report(source: source, startedAt: started, timeline: [])
        initial.job = initialJob
        ledger = try RunLedger(
            path: files.ledger, durable: false, console: console, initial: initial, hook: hook)
    }

    /// The run's report as of now, with `job` and the consistency `timeline`.
    func report(_ job: Report.Job?, timeline: [Report.TimelinePoint] = []) -> Report {
        var report = engine.report(source: source, startedAt: started, timeline: timeline)
        report.job = job
        return report
    }

    /// Writes the final checkpoint and the reports, prints the summary (and a job's keys not done), and exits as the
    /// report says (a job: 0 done, 1 some keys not filled or repaired; else the gate's exit code).
    func finish(_ job: Report.Job?, timeline: [Report.TimelinePoint] = []) throws {
        console.endProgress()
        let report = report(job, timeline: timeline)
        try ledger.finish(report)
        try outputs.write(report)
        var shown: [(String, String)] = [("ledger", PostgresLocation.redacting(files.ledger))]
        for target in outputs.targets { shown.append(("report (\(target.format))", target.path)) }
        console.summary(RunSummary.render(report, files: shown))
        if let job { listUnresolved(job) }
        try ExitStatus(ReportVerdict(report)).exitUnlessPassed()
    }

    /// The first keys a job could not do, on stderr (the ledger and the JSON report hold them all).
    private func listUnresolved(_ job: Report.Job) {
        let failures = job.entries.filter { $0.action != .repaired && $0.action != .wouldRepair }
        for entry in failures.prefix(20) {
            console.warning("\(source): key \(entry.key): \(entry.action.rawValue): \(entry.reason ?? "")")
        }
        if failures.count > 20 || job.entriesOmitted > 0 {
            console.warning(
                "\(source): \(job.unresolved - min(failures.count, 20)) more keys not done; every one is in the ledger")
        }
    }

    /// A store failure mid-run: the ledger keeps what was done, and the run exits 3.
    func fail(_ error: EngineError, job: Report.Job?, timeline: [Report.TimelinePoint] = []) -> CLIError {
        console.endProgress()
        ledger.checkpoint(report(job, timeline: timeline))
        var message = error.description
        // A plan that redacts its key field: the key the error names appears as its token (DESIGN 7).
        if let key = error.key, engine.redactor.redactsKeys {
            message = message.replacingOccurrences(of: key, with: engine.redactor.key(key))
        }
        return CLIError.io(message)
    }
}
