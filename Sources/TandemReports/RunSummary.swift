import Foundation
import Tandem

/// The human summary `tandem replay` and `tandem verify` print: verdict, consistency and its interval, counts, the
/// breaker's state and first transitions, the most frequent mismatching fields, then the files of the run.
package enum RunSummary {
    /// The summary of `report`, followed by one `name: path` line per entry of `files`.
    package static func render(_ report: Report, files: [(String, String)]) -> String {
        let totals = report.totals
        let verdict = ReportVerdict(report).rawValue.uppercased()
        var out = "\(report.source) of plan \(report.plan): \(verdict) - \(ReportVerdict.reason(report))\n"
        if let job = report.job {
            // A backfill or repair is judged by its keys, not by the gate (DESIGN 11).
            out =
                job.unresolved > 0
                ? "\(report.source) of plan \(report.plan): FAILED - \(job.unresolved) keys could not be done\n"
                : "\(report.source) of plan \(report.plan): DONE\n"
            if totals.compared == 0 { return out + jobLines(job) + files.map { "  \($0.0): \($0.1)\n" }.joined() }
        }
        out += String(
            format: "  consistency %.6f (%.0f%% interval %.6f..%.6f), budget %.6f\n", report.consistency,
            report.interval.confidence * 100, report.interval.low, report.interval.high,
            report.gate.minConsistency)
        out +=
            "  compared \(totals.compared), mismatched \(totals.mismatched), in flight \(totals.inFlight), shed \(totals.shed)\n"
        if report.source == "replay" {
            out +=
                "  writes \(totals.writes), reads \(totals.reads), deletes \(totals.deletes), bad lines \(totals.badLines)\n"
        }
        if let sentence = ReportText.sampling(report) { out += "  \(sentence)\n" }
        if totals.repaired > 0 { out += "  repaired \(totals.repaired) pending outbox rows\n" }
        if totals.unknownFields > 0 { out += "  unknown fields seen \(totals.unknownFields) (not mismatches)\n" }
        if let sentence = ReportText.legacyUnknownFields(report) { out += "  \(sentence)\n" }
        out += "  breaker: \(report.breakerState)"
        if !report.transitions.isEmpty {
            out +=
                ", "
                + report.transitions.prefix(3).map { "\($0.from)->\($0.to) at \(RFC3339.format($0.at))" }.joined(
                    separator: ", ")
            if report.transitions.count > 3 { out += ", ... (\(report.transitions.count) transitions)" }
        }
        out += "\n"
        if !report.fields.isEmpty {
            out += "  mismatches by field:\n"
            for group in report.fields.prefix(10) {
                let example = group.sampleKeys.first.map { " (e.g. key \($0))" } ?? ""
                out += "    \(group.count)  \(group.path)  \(group.kind)\(example)\n"
            }
        }
        if let job = report.job { out += jobLines(job) }
        if let rollout = report.rollout {
            out += "  rollout: \(rollout.step), \(RolloutText.state(rollout)), "
            out += "\(rollout.decisions.count - 1) decisions after the start\n"
        }
        for (name, path) in files { out += "  \(name): \(path)\n" }
        return out
    }

    /// What a backfill or repair run did, in a few lines.
    static func jobLines(_ job: Report.Job) -> String {
        let what = job.kind == .backfill ? "backfill \(job.direction?.rawValue ?? "")" : "repair"
        let state = job.dryRun ? "dry run, nothing written" : job.complete ? "complete" : "stopped before the end"
        var out = "  \(what): \(state)\(job.resumed ? ", resumed" : "")\n"
        let verb = job.dryRun ? "would write" : "written"
        out += "    keys \(job.scanned), \(verb) \(job.written), unchanged \(job.unchanged), raced \(job.raced)"
        out += ", deleted \(job.tombstoned), failed \(job.failed)"
        if job.kind == .repair { out += ", missing in primary \(job.missingInPrimary), absent \(job.absent)" }
        out += "\n"
        return out
    }
}
