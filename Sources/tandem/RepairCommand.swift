import ArgumentParser
import Foundation
import Tandem
import TandemProto

/// `tandem repair`: re-compares named keys and rewrites divergent shadow rows from the primary (DESIGN 11).
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Re-compare keys and rewrite divergent shadow rows from the primary's projection.",
        discussion: """
            Keys come from --key (repeatable), from --from-report (the `mismatches` of a JSON report; refused, exit 2, \
            when its sample was truncated by --max-samples or its keys are redacted) or from --all (a verify pass). \
            Each key is compared again; a mismatching key's shadow row is rewritten from the primary's projection only \
            while both rows carry the seqs that comparison saw (a key a live writer changed meanwhile is left as it \
            wrote it). Keys only the shadow holds (record_missing_in_primary) are listed, not touched. Every repair \
            goes to the ledger with its key, the old and new payload hashes and the time; --dry-run lists what \
            would change. Exit codes: 0 done, 1 some keys could not be repaired, 2 plan or usage error, 3 store error.

            Example:
              tandem repair Migrations/user-profile --primary primary.sqlite --shadow shadow.sqlite \\
                --from-report verify.json
            """
    )

    @OptionGroup var stores: StoreOptions

    @Option(name: .customLong("key"), help: ArgumentHelp("A key to repair (repeatable).", valueName: "key"))
    var keys: [String] = []

    @Option(help: ArgumentHelp("Repair the sampled mismatching keys of this JSON report.", valueName: "report.json"))
    var fromReport: String?

    @Flag(help: "Compare every key of both stores and repair each that mismatches.")
    var all = false

    @Flag(help: "List what would change; write nothing.")
    var dryRun = false

    @OptionGroup var output: ReportOptions

    func validate() throws {
        let sources = (keys.isEmpty ? 0 : 1) + (fromReport == nil ? 0 : 1) + (all ? 1 : 0)
        guard sources == 1 else {
            throw ValidationError("name the keys one way: --key KEY..., --from-report REPORT.json or --all")
        }
    }

    func run() throws {
        // The report is read before the stores are opened: a report that cannot name keys changes nothing.
        let plan = try PlanLoading.load(stores.planDirectory)
        let named = try fromReport.map { path throws(CLIError) in try Self.keys(fromReport: path, plan: plan) } ?? keys
        // Every key is checked before anything is written: a bad one is a usage error naming where it came from.
        for key in named {
            do {
                try RecordKey.validate(key, path: nil)
            } catch {
                let shown = Redactor(plan: plan).redactsKeys ? "a key" : "key '\(key.prefix(64))'"
                throw CLIError.usage("\(fromReport ?? "--key"): \(shown): \(error.message)")
            }
        }
        let run = try StoreRun(
            source: .repair, plan: plan, stores: stores,
            output: output, initialJob: Report.Job(kind: .repair, dryRun: dryRun))
        let repairer = Repairer(engine: run.engine, configuration: Repairer.Configuration(dryRun: dryRun))
        let checkpoint = { run.ledger.checkpoint(run.report(repairer.job, timeline: repairer.timeline.points)) }
        do {
            if all {
                try repairer.repairAll(
                    progress: { run.console.progress($0, unit: "keys") }, checkpoint: checkpoint)
            } else {
                try repairer.repair(keys: named, checkpoint: checkpoint)
            }
        } catch {
            throw run.fail(error, job: repairer.job, timeline: repairer.timeline.points)
        }
        try run.finish(repairer.job, timeline: repairer.timeline.points)
    }

    /// The keys of a JSON report's `mismatches`, refused when they cannot name every mismatching record.
    static func keys(fromReport path: String, plan: MigrationPlan) throws(CLIError) -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError.io("\(path): cannot read the report: \(error.localizedDescription)")
        }
        let report: JSONValue
        do {
            report = try JSONValue(parsing: text)
        } catch {
            throw CLIError.usage("\(path): not a JSON report: \(error)")
        }
        guard report["tandem_report_version"] != nil, case .array(let mismatches) = report["mismatches"] else {
            throw CLIError.usage("\(path): not a Tandem JSON report (no tandem_report_version or mismatches)")
        }
        if let name = report["plan"]?.stringValue, name != plan.name {
            throw CLIError.usage("\(path): the report is of plan '\(name)', not '\(plan.name)'")
        }
        let keys = mismatches.compactMap { $0["key"]?.stringValue }
        let redactsKeys = Redactor(plan: plan).redactsKeys
        if report["keys_redacted"]?.boolValue == true || redactsKeys
            || keys.contains(where: { $0.hasPrefix("redacted:") })
        {
            throw CLIError.usage(
                "\(path): the report's keys are redacted (the plan redacts its key field), so they name no record; "
                    + "use --all to compare and repair every key")
        }
        let truncated: Bool
        if let flag = report["mismatches_truncated"]?.boolValue {
            truncated = flag
        } else {
            // A report written before the flag: the sample is whole only if it holds every mismatch.
            let mismatched = report["totals"]?["mismatched"]?.int64Value ?? Int64.max
            truncated = mismatched > Int64(keys.count)
        }
        if truncated {
            throw CLIError.usage(
                "\(path): the report's mismatch sample was truncated (\(keys.count) keys kept, --max-samples), so it "
                    + "does not name every divergent key; rerun verify with a larger --max-samples, or use --all")
        }
        return keys
    }
}
