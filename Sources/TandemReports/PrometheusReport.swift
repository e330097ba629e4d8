import Foundation
import Tandem

/// The report's totals in the Prometheus text exposition format (version 0.0.4), for a textfile collector or a
/// push gateway: `tandem_*` metrics with `# HELP` and `# TYPE` lines; label values escaped (backslash, double quote,
/// line feed) as the format requires. The format has no escape for a carriage return or the other characters some
/// readers break lines at (Python's universal newlines, `str.splitlines`), so those become U+FFFD in label values.
///
/// Names follow the library's live metrics: `tandem_consistency` and `tandem_breaker_state` (the state's gauge code)
/// mean the same here.
public enum PrometheusReport {
    /// The report as Prometheus text.
    public static func render(_ report: Report) -> String {
        var out = ""
        let totals = report.totals
        func family(_ name: String, _ type: String, _ help: String, _ samples: [([(String, String)], String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                out += name
                if !labels.isEmpty {
                    out += "{" + labels.map { "\($0.0)=\"\(labelValue($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " \(value)\n"
            }
        }
        family(
            "tandem_info", "gauge", "The run the report is about (always 1).",
            [
                (
                    [
                        ("plan", report.plan), ("plan_fingerprint", report.planFingerprint),
                        ("source", report.source.rawValue),
                    ], "1"
                )
            ])
        family(
            "tandem_operations_total", "counter", "Operations replayed or verified, by operation.",
            [
                ([("op", "write")], "\(totals.writes)"), ([("op", "read")], "\(totals.reads)"),
                ([("op", "delete")], "\(totals.deletes)"),
            ])
        family(
            "tandem_comparisons_total", "counter", "Shadow comparisons, by result.",
            [
                ([("result", "match")], "\(totals.matched)"), ([("result", "mismatch")], "\(totals.mismatched)"),
                ([("result", "in_flight")], "\(totals.inFlight)"), ([("result", "shed")], "\(totals.shed)"),
            ])
        family(
            "tandem_mismatches_total", "counter", "Field mismatches, by kind.",
            ReportText.mismatchesByKind(report).map { ([("kind", $0.kind)], "\($0.count)") })
        family(
            "tandem_field_mismatches_total", "counter", "Field mismatches, by normalised path and kind.",
            report.fields.map { ([("path", $0.path), ("kind", $0.kind.rawValue)], "\($0.count)") })
        family(
            "tandem_bad_lines_total", "counter", "Traffic lines that could not be read.", [([], "\(totals.badLines)")])
        family(
            "tandem_repaired_total", "counter", "Pending outbox rows replayed when the stores were opened.",
            [([], "\(totals.repaired)")])
        family(
            "tandem_unknown_fields_total", "counter", "Records that carried unknown fields.",
            [([], "\(totals.unknownFields)")])
        family(
            "tandem_consistency", "gauge", "Matched over compared for the whole run (1 when nothing was compared).",
            [([], number(report.consistency))])
        family(
            "tandem_consistency_bound", "gauge", "The Wilson interval of the consistency.",
            [([("bound", "low")], number(report.interval.low)), ([("bound", "high")], number(report.interval.high))])
        family(
            "tandem_consistency_confidence", "gauge", "The confidence level of the interval.",
            [([], number(report.interval.confidence))])
        family(
            "tandem_gate_min_consistency", "gauge", "The consistency budget (gate.min_consistency).",
            [([], number(report.gate.minConsistency))])
        family(
            "tandem_gate_min_samples", "gauge", "Comparisons needed for a verdict (gate.min_samples).",
            [([], "\(report.gate.minSamples)")])
        family("tandem_gate_passed", "gauge", "1 when the gate passed.", [([], report.gate.passed ? "1" : "0")])
        family(
            "tandem_gate_confident", "gauge", "1 when the interval's upper mismatch bound is under the budget.",
            [([], report.gate.confident ? "1" : "0")])
        family(
            "tandem_gate_inconclusive", "gauge", "1 when the run was inconclusive (exit code 4).",
            [([], ReportVerdict(report) == .inconclusive ? "1" : "0")])
        if let sampling = report.sampling, let effectiveRate = report.effectiveSampleRate {
            family(
                "tandem_budget_skipped_total", "counter",
                "Queued comparisons the comparator's CPU budget skipped (apart from queue sheds).",
                [([], "\(sampling.budgetSkipped)")])
            family(
                "tandem_effective_sample_rate", "gauge",
                "The share of reads compared: sample_rate lowered by what the CPU budget skipped.",
                [([], number(effectiveRate))])
        }
        if let fields = report.legacyUnknownFields, !fields.isEmpty {
            family(
                "tandem_legacy_unknown_fields_total", "counter",
                "Unknown fields the legacy writer's v1 payloads carried, by field, counted when written.",
                fields.map { ([("path", $0.path), ("number", "\($0.number)")], "\($0.count)") })
        }
        if let job = report.job {
            let labels = [("job", job.kind.rawValue), ("direction", job.direction?.rawValue ?? "")]
            family(
                "tandem_job_keys_total", "counter", "Keys a backfill or repair run handled, by outcome.",
                [
                    ("written", job.written), ("unchanged", job.unchanged), ("raced", job.raced),
                    ("deleted", job.tombstoned), ("failed", job.failed), ("missing_in_primary", job.missingInPrimary),
                    ("absent", job.absent),
                ].map { (labels + [("outcome", $0.0)], "\($0.1)") })
            family(
                "tandem_job_complete", "gauge", "1 when the backfill or repair run reached the end of its keys.",
                [(labels, job.complete ? "1" : "0")])
        }
        family(
            "tandem_breaker_state", "gauge",
            "The breaker's final state: 0 closed, 1 open, 2 half_open, 3 forced_open, 4 disabled, 5 metrics_only.",
            [([], "\(report.breakerState.gaugeValue)")])
        let opened = report.transitions.filter { $0.to == .open }.count
        family("tandem_breaker_open_total", "counter", "Times the breaker opened.", [([], "\(opened)")])
        if let rollout = report.rollout {
            family(
                "tandem_rollout_stage", "gauge",
                "The rollout's stage: 0 off, 1 dualwrite, 2 shadow, 3 live, 4 rampdown, 5 complete.",
                [([], "\(MigrationStage.allCases.firstIndex(of: rollout.step.stage) ?? -1)")])
            family(
                "tandem_rollout_canary_percent", "gauge", "The percent of keys the rollout sends to v2.",
                [([], "\(rollout.step.canaryPercent)")])
            family(
                "tandem_rollout_halted", "gauge", "1 when the breaker halted the rollout.",
                [([], rollout.halted ? "1" : "0")])
        }
        family(
            "tandem_breaker_flaps_total", "counter", "Failed half-open probes: the breaker reopened after probing.",
            [([], "\(report.breakerFlaps)")])
        var byTarget: [String: Int] = [:]
        for transition in report.transitions { byTarget[transition.to.rawValue, default: 0] += 1 }
        family(
            "tandem_breaker_transitions_total", "counter", "Breaker transitions, by the state entered.",
            byTarget.keys.sorted().map { ([("to", $0)], "\(byTarget[$0] ?? 0)") })
        family(
            "tandem_cohort_comparisons_total", "counter", "Comparisons per traffic cohort, by result.",
            report.cohorts.keys.sorted().flatMap { name -> [([(String, String)], String)] in
                let cohort = report.cohorts[name] ?? Report.Cohort(compared: 0, mismatched: 0)
                return [
                    ([("cohort", name), ("result", "match")], "\(cohort.compared - cohort.mismatched)"),
                    ([("cohort", name), ("result", "mismatch")], "\(cohort.mismatched)"),
                ]
            })
        family(
            "tandem_run_start_timestamp_seconds", "gauge", "When the run started (Unix time).",
            [([], number(report.startedAt.timeIntervalSince1970))])
        family(
            "tandem_run_end_timestamp_seconds", "gauge", "When the run finished (Unix time).",
            [([], number(report.finishedAt.timeIntervalSince1970))])
        return out
    }

    /// A label value with backslash, double quote and line feed escaped, and line-breaking characters the format
    /// cannot escape replaced.
    static func labelValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}":
                out.unicodeScalars.append("\u{FFFD}")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A sample value: Go's float syntax, with `NaN`, `+Inf` and `-Inf`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return String(value)
    }
}
