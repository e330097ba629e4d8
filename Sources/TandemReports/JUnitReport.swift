import Foundation
import Tandem

/// JUnit XML for CI dashboards: one `testsuite` with a test case for the gate (a failure, with the reason, when the
/// gate did not pass) and one per mismatch group (a failure with the count and up to three examples).
///
/// Everything is XML-escaped; characters XML 1.0 cannot carry become U+FFFD; long values are truncated with a
/// marker.
public enum JUnitReport {
    /// The most examples shown per group.
    public static let maxExamples = 3
    /// The most characters shown of one value, key or path.
    public static let maxValueLength = 500

    /// The report as JUnit XML.
    public static func render(_ report: Report) -> String {
        let verdict = ReportVerdict(gateOf: report)
        let rolloutFailed = report.rollout.map { !$0.finished || $0.halted } ?? false
        let tests = report.fields.count + 1 + (report.rollout == nil ? 0 : 1)
        let failures =
            report.fields.count + ((report.job.map { $0.unresolved > 0 } ?? (verdict != .passed)) ? 1 : 0)
            + (rolloutFailed ? 1 : 0)
        let time = String(format: "%.3f", max(0, report.finishedAt.timeIntervalSince(report.startedAt)))
        let suiteName = "tandem." + report.plan

        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"tandem\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" time=\"\(time)\">\n"
        out += "  <testsuite name=\"\(attribute(suiteName))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\""
        out += " skipped=\"0\" timestamp=\"\(attribute(ReportText.timestamp(report.startedAt)))\" time=\"\(time)\">\n"

        out += "    <properties>\n"
        var properties: [(String, String)] = [
            ("plan", report.plan), ("plan_fingerprint", report.planFingerprint), ("source", report.source.rawValue),
            ("verdict", ReportVerdict(report).rawValue), ("consistency", ReportText.number(report.consistency)),
            ("consistency_low", ReportText.number(report.interval.low)),
            ("consistency_high", ReportText.number(report.interval.high)),
            ("compared", String(report.totals.compared)), ("mismatched", String(report.totals.mismatched)),
            ("breaker_state", report.breakerState.rawValue),
        ]
        properties += report.settings.map { ("setting." + $0.key, $0.value) }
        for (name, value) in properties {
            out += "      <property name=\"\(attribute(name))\" value=\"\(attribute(value))\"/>\n"
        }
        out += "    </properties>\n"

        if let job = report.job {
            // A backfill or repair run is judged by its keys (DESIGN 11): its test case stands in for the gate's.
            out += jobTestCase(job, time: time)
        } else {
            out += gateTestCase(report, verdict: verdict, time: time)
        }
        if let rollout = report.rollout { out += rolloutTestCase(rollout, time: time) }

        for group in report.fields {
            let name = "\(truncated(group.path)) (\(truncated(group.kind.rawValue)))"
            let message = "\(group.count) mismatch\(group.count == 1 ? "" : "es") at \(name)"
            var body = message
            let examples = group.samples.prefix(maxExamples)
            if !examples.isEmpty { body += "\nExamples:" }
            for example in examples {
                body += "\n  key: \(truncated(example.key))"
                if example.diff.path != group.path { body += "\n    path: \(truncated(example.diff.path))" }
                body += "\n    v1: \(truncated(ReportText.display(example.diff.v1)))"
                body += "\n    v2: \(truncated(ReportText.display(example.diff.v2)))"
                if let detail = example.diff.detail { body += "\n    detail: \(truncated(detail))" }
            }
            out += "    <testcase classname=\"tandem.fields\" name=\"\(attribute(name))\">\n"
            out +=
                "      <failure type=\"\(attribute(truncated(group.kind.rawValue)))\" message=\"\(attribute(message))\">"
            out += text(body) + "</failure>\n"
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    /// The gate's test case: failing, with the verdict's numbers, unless the gate passed.
    static func gateTestCase(_ report: Report, verdict: ReportVerdict, time: String) -> String {
        var out = "    <testcase classname=\"tandem.gate\" name=\"consistency gate\" time=\"\(time)\">\n"
        if verdict != .passed {
            let body = """
                \(report.gate.reason)
                consistency \(ReportText.percent(report.consistency)) \
                (\(ReportText.percent(report.interval.low)) to \(ReportText.percent(report.interval.high)) \
                at \(ReportText.percent(report.interval.confidence)) confidence), \
                budget >= \(ReportText.percent(report.gate.minConsistency)), \
                \(report.totals.mismatched) of \(report.totals.compared) comparisons mismatched \
                (min_samples \(report.gate.minSamples)); breaker \(report.breakerState)
                """
            out +=
                "      <failure type=\"\(verdict.rawValue)\" message=\"\(attribute(truncated(report.gate.reason)))\">"
            out += text(body) + "</failure>\n"
        }
        out += "    </testcase>\n"
        return out
    }

    /// A backfill or repair run's test case: failing, listing the first keys it could not fill or repair, when any.
    static func jobTestCase(_ job: Report.Job, time: String) -> String {
        let name = job.kind == .backfill ? "backfill \(job.direction?.rawValue ?? "")" : "repair"
        var out = "    <testcase classname=\"tandem.job\" name=\"\(attribute(name))\" time=\"\(time)\">\n"
        if job.unresolved > 0 {
            let message = "\(job.unresolved) key\(job.unresolved == 1 ? "" : "s") could not be done"
            var body = message
            for entry in job.entries.filter({ $0.action != .repaired && $0.action != .wouldRepair }).prefix(maxExamples)
            {
                body += "\n  key: \(truncated(entry.key)): \(entry.action.rawValue): \(truncated(entry.reason ?? ""))"
            }
            out += "      <failure type=\"job\" message=\"\(attribute(message))\">" + text(body) + "</failure>\n"
        }
        out += "    </testcase>\n"
        return out
    }

    /// The rollout's test case (`replay --rollout`): failing when it halted or stopped before its last step.
    static func rolloutTestCase(_ rollout: RolloutStatus, time: String) -> String {
        var out = "    <testcase classname=\"tandem.rollout\" name=\"rollout\" time=\"\(time)\">\n"
        if rollout.halted || !rollout.finished {
            let message =
                rollout.halted
                ? "halted at \(rollout.step) after the breaker opened"
                : "stopped at \(rollout.step) before its last step"
            let body = rollout.decisions.map { "\(ReportText.timestamp($0.at)) \($0.reason) -> \($0.step)" }
                .joined(separator: "\n")
            out += "      <failure type=\"rollout\" message=\"\(attribute(message))\">" + text(body) + "</failure>\n"
        }
        return out + "    </testcase>\n"
    }

    static func truncated(_ value: String) -> String { ReportText.truncated(value, limit: maxValueLength) }
    static func attribute(_ value: String) -> String { MarkupEscaping.escape(value, .xml) }
    static func text(_ value: String) -> String { MarkupEscaping.text(value, .xml) }
}
