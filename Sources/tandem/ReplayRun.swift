import Foundation
import Tandem
import TandemPostgres

/// One replay of traffic into a plan's stores, shared by `replay` and `demo`: the engine, ledger checkpoints,
/// progress, warnings about bad lines and pending shadow writes, and the final report (already in the ledger).
enum ReplayRun {
    /// The report, and the shadow writes that failed after their primary commit and still wait in the outbox (a store
    /// fault: the caller exits 3 once the reports are written).
    static func run(
        plan: MigrationPlan, reader: TrafficLineReader, trafficFile: String, files: RunFiles,
        writer: DualWriter.Configuration, maxSamples: Int, console: Console, rollout: Bool = false
    ) throws -> (report: Report, shadowPending: Int) {
        guard !rollout || plan.rollout != nil else {
            throw CLIError.usage(
                "\(plan.planFile ?? plan.name): --rollout needs a rollout: block in the plan (stages, canary, "
                    + "min_dwell_seconds; DESIGN 12)")
        }
        let hook = TransitionHook()
        let clock = TrafficClock()
        let configuration = MigrationEngine.Configuration(writer: writer, maxSamples: maxSamples, clock: clock)
        let engine: MigrationEngine
        do {
            engine = try MigrationEngine(
                plan: plan, primary: files.primary, shadow: files.shadow,
                configuration: configuration, onTransition: hook.onTransition,
                onConnectionEvent: { console.warning($0.description) })
        } catch {
            throw CLIError.engine(error)
        }
        let started = Date()
        let runLedger = try RunLedger(
            path: files.ledger, durable: writer.durable, console: console,
            initial: engine.report(source: "replay", startedAt: started, timeline: []), hook: hook)
        var controller: RolloutController?
        if rollout, let rolloutPlan = plan.rollout {
            do {
                controller = try RolloutController(
                    plan: rolloutPlan, gate: engine.gate, breaker: engine.breaker, clock: clock,
                    ledger: runLedger.ledger.backend,
                    onDecision: { decision in
                        console.note(
                            "rollout: \(decision.reason) -> \(decision.step) (consistency \(decision.consistency) over "
                                + "\(decision.samples) comparisons)")
                    })
            } catch {
                throw CLIError(message: "\(files.ledger): \(error)", status: error.code == .corrupt ? .usage : .io)
            }
        }
        let runner = ReplayRunner(engine: engine, clock: clock, trafficFile: trafficFile, rollout: controller)
        do {
            try runner.run(
                reader, progress: { console.progress($0, unit: "lines") },
                checkpoint: {
                    var report = engine.report(source: "replay", startedAt: started, timeline: runner.timeline.points)
                    report.rollout = controller?.status
                    runLedger.checkpoint(report)
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
        var report = engine.report(source: "replay", startedAt: started, timeline: runner.timeline.points)
        report.rollout = controller?.status
        try runLedger.finish(report)
        return (report, engine.totals.shadowPending)
    }
}
