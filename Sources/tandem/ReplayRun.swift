import Foundation
import Tandem

/// One replay of traffic into a plan's stores, shared by `replay` and `demo`: the engine, ledger checkpoints,
/// progress, warnings about bad lines and pending shadow writes, and the final report (already in the ledger).
enum ReplayRun {
    static func run(
        plan: MigrationPlan, reader: TrafficLineReader, trafficFile: String, files: RunFiles,
        writer: DualWriter.Configuration, maxSamples: Int, console: Console
    ) throws -> Report {
        let runLedger = try RunLedger(path: files.ledger, durable: writer.durable, console: console)
        let clock = TrafficClock()
        let configuration = MigrationEngine.Configuration(writer: writer, maxSamples: maxSamples, clock: clock)
        let engine: MigrationEngine
        do {
            engine = try MigrationEngine(
                plan: plan, primaryPath: files.primary, shadowPath: files.shadow,
                configuration: configuration, onTransition: runLedger.onTransition)
        } catch {
            throw CLIError.engine(error)
        }
        let started = Date()
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: trafficFile)
        // A first checkpoint at once: a replay killed at any moment leaves a ledger that renders.
        runLedger.checkpoint(engine.report(source: "replay", startedAt: started, timeline: []))
        do {
            try runner.run(
                reader, progress: { console.progress($0, unit: "lines") },
                checkpoint: {
                    runLedger.checkpoint(
                        engine.report(source: "replay", startedAt: started, timeline: runner.timeline.points))
                })
        } catch {
            console.endProgress()
            throw CLIError.io(error.description)
        }
        console.endProgress()
        for badLine in runner.badLines { console.warning(badLine.description) }
        if engine.totals.badLines > runner.badLines.count {
            console.warning("\(engine.totals.badLines - runner.badLines.count) more bad lines not shown")
        }
        if engine.totals.shadowPending > 0 {
            console.warning(
                "\(engine.totals.shadowPending) shadow writes failed after their primary commit and wait in the outbox of \(files.primary); the next open or verify replays them"
            )
        }
        let report = engine.report(source: "replay", startedAt: started, timeline: runner.timeline.points)
        try runLedger.finish(report)
        return report
    }
}
