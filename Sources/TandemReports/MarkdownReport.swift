import Tandem
import TandemProto

/// A Markdown summary for pull-request comments (GitHub Flavored Markdown): a verdict line, a table of totals, the
/// top mismatch groups and a few samples.
///
/// Plain text is backslash-escaped (every ASCII punctuation character, so no value can open a link, an emphasis, an
/// HTML tag or a mention); keys, paths and values are code spans whose fence is longer than any run of backticks
/// inside; pipes are escaped in tables, and line breaks are shown as `↵` so a value never ends a table row.
public enum MarkdownReport {
    /// How many groups the summary lists.
    public static let maxGroups = 10
    /// How many sample diffs it shows.
    public static let maxSamples = 5
    /// The most characters shown of one value.
    public static let maxValueLength = 120

    /// The report as Markdown.
    public static func render(_ report: Report) -> String {
        let verdict = ReportVerdict(report)
        let icon =
            switch verdict {
            case .passed: "✅"
            case .failed: "❌"
            case .inconclusive: "⚠️"
            }
        var out = "### \(icon) Tandem: **\(verdict.rawValue)**: plan \(code(report.plan, inTable: false))\n\n"
        out += "\(plain(ReportVerdict.reason(report)))\n\n"
        out += "Consistency **\(plain(ReportText.percent(report.consistency)))** "
        out +=
            "(\(plain(ReportText.percent(report.interval.low))) to \(plain(ReportText.percent(report.interval.high))) "
        out += "at \(plain(ReportText.percent(report.interval.confidence))) confidence); "
        out += "budget ≥ \(plain(ReportText.percent(report.gate.minConsistency))) "
        out +=
            "over at least \(report.gate.minSamples) comparisons; breaker \(code(report.breakerState.rawValue, inTable: false)).\n\n"

        if let job = report.job { out += jobSection(job) }
        if let rollout = report.rollout { out += rolloutSection(rollout) }
        let totals = report.totals
        out += "| Writes | Reads | Deletes | Compared | Matched | Mismatched | In flight | Shed | Bad lines |\n"
        out += "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        out += "| \(totals.writes) | \(totals.reads) | \(totals.deletes) | \(totals.compared) | \(totals.matched) "
        out += "| \(totals.mismatched) | \(totals.inFlight) | \(totals.shed) | \(totals.badLines) |\n\n"
        if let sentence = ReportText.sampling(report) {
            out += sentence + ".\n\n"
        }
        if let sentence = ReportText.legacyUnknownFields(report, path: { code($0, inTable: false) }) {
            out += sentence + ".\n\n"
        }

        if !report.fields.isEmpty {
            out += "#### Top mismatch groups\n\n| Path | Kind | Count |\n| --- | --- | ---: |\n"
            for group in report.fields.prefix(maxGroups) {
                out += "| \(code(group.path)) | \(code(group.kind.rawValue)) | \(group.count) |\n"
            }
            if report.fields.count > maxGroups {
                out += "\n\(report.fields.count - maxGroups) more group(s) in the full report.\n"
            }
            out += "\n"
        }

        let samples = report.mismatches.lazy.flatMap { mismatch in mismatch.diffs.map { (mismatch.key, $0) } }
            .prefix(maxSamples)
        if !samples.isEmpty {
            out += "#### Samples\n\n| Key | Path | Kind | v1 | v2 |\n| --- | --- | --- | --- | --- |\n"
            for (key, diff) in samples {
                out += "| \(code(key)) | \(code(diff.path)) | \(code(diff.kind.rawValue)) "
                out += "| \(value(diff.v1)) | \(value(diff.v2)) |\n"
            }
            out += "\n"
        }

        if !report.cohorts.isEmpty {
            out += "<details><summary>Cohorts</summary>\n\n| Cohort | Compared | Mismatched |\n| --- | ---: | ---: |\n"
            for name in report.cohorts.keys.sorted() {
                let cohort = report.cohorts[name] ?? Report.Cohort(compared: 0, mismatched: 0)
                out += "| \(code(name)) | \(cohort.compared) | \(cohort.mismatched) |\n"
            }
            out += "\n</details>\n\n"
        }
        out += "Plan fingerprint \(code(report.planFingerprint, inTable: false)), \(plain(report.source.rawValue)) "
        out += "finished \(plain(ReportText.timestamp(report.finishedAt))).\n"
        return out
    }

    /// A diff value as a code span, or *absent*.
    static func value(_ value: JSONValue?) -> String {
        guard let value else { return "*absent*" }
        return code(value.jsonString())
    }

    /// `text` as a code span that shows it literally, in or out of a table.
    static func code(_ text: String, inTable: Bool = true) -> String {
        let shown = oneLine(ReportText.truncated(text, limit: maxValueLength))
        guard !shown.isEmpty else { return "*empty*" }
        // A code span's fence must be longer than every run of backticks inside (CommonMark 6.1); a space pads a
        // content that starts or ends with a backtick, and is stripped again by the renderer.
        var longestRun = 0
        var run = 0
        for scalar in shown.unicodeScalars {
            run = scalar == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let pad =
            shown.hasPrefix("`") || shown.hasSuffix("`") || (shown.hasPrefix(" ") && shown.hasSuffix(" "))
            ? " " : ""
        // GFM tables split cells on unescaped pipes even inside code spans; `\|` shows as `|` there.
        var escaped = ""
        for scalar in shown.unicodeScalars {
            if inTable && scalar == "|" { escaped += "\\" }
            escaped.unicodeScalars.append(scalar)
        }
        return fence + pad + escaped + pad + fence
    }

    /// Plain text with every ASCII punctuation character backslash-escaped (CommonMark 2.4).
    static func plain(_ text: String) -> String {
        var out = ""
        for scalar in oneLine(ReportText.truncated(text, limit: 1_000)).unicodeScalars {
            if asciiPunctuation.contains(scalar) { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    private static let asciiPunctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    /// Line breaks as `↵` and other control characters as U+FFFD, so a value stays on its line.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\u{2028}", "\u{2029}", "\u{85}": out += "↵"
            case "\t": out += " "
            default:
                out.unicodeScalars.append(scalar.properties.generalCategory == .control ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }
}
