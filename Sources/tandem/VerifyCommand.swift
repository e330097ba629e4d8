import ArgumentParser
import Foundation
import Tandem

/// `tandem verify`: compares two existing stores in full, key by key, and gates on the result.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare an existing primary and shadow store in full, and gate on consistency.",
        discussion: """
            Streams both stores in key order (memory stays flat), reports records present on one side only, and \
            compares every pair with the plan's rules. Pending outbox rows are replayed first (counted as repaired); \
            no other row is ever rewritten, so a row changed by hand is reported, not repaired.

            Example:
              tandem verify Migrations/user-profile --primary primary.sqlite --shadow shadow.sqlite --report verify.json
            """
    )

    @OptionGroup var stores: StoreOptions

    @OptionGroup var output: ReportOptions

    func run() throws {
        let plan = try PlanLoading.load(stores.planDirectory)
        let run = try StoreRun(source: .verify, plan: plan, stores: stores, output: output, initialJob: nil)
        let runner = VerifyRunner(engine: run.engine)
        do {
            try runner.run(
                progress: { run.console.progress($0, unit: "keys") },
                checkpoint: { run.ledger.checkpoint(run.report(nil, timeline: runner.timeline.points)) })
        } catch {
            throw run.fail(error, job: nil, timeline: runner.timeline.points)
        }
        try run.finish(nil, timeline: runner.timeline.points)
    }
}
