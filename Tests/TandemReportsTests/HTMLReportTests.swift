import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct HTMLReportTests {
    @Test func aScriptInAValueIsInertAndThePageIsWellFormed() throws {
        let report = HostileReport.report()
        let html = HTMLReport.render(report)
        let parsed = try Validators.check(Validators.html, html)
        #expect(parsed["errors"]?.strings == [], "\(parsed["errors"] ?? .null)")
        // One script element, ours, and the only `<script` text in the file.
        #expect(parsed["tags"]?["script"]?.int64Value == 1)
        #expect(parsed["raw_script_tags"]?.int64Value == 1)
        #expect(parsed["scripts"]?.strings == [HTMLReport.script])
        // The Content-Security-Policy allows exactly that script.
        #expect(parsed["csp"]?.stringValue == HTMLReport.scriptHash)
        #expect(parsed["digests"]?.strings == [HTMLReport.scriptHash])
        // No element came from a value: no img, no event handler, nothing that loads.
        #expect(parsed["tags"]?["img"] == nil)
        #expect(parsed["risky"]?.strings == [])
        #expect(parsed["svg"]?.boolValue == true)
        // The hostile values are there, as text.
        let text = parsed["text"]?.stringValue ?? ""
        #expect(text.contains(HostileReport.script))
        #expect(text.contains(HostileReport.image))
        #expect(text.contains("</details></td></tr></table>"))
    }

    @Test func theVerdictComesFirstAndEverySectionIsThere() throws {
        let html = HTMLReport.render(HostileReport.report())
        let header = try #require(html.range(of: "<header class=\"verdict failed\">"))
        let main = try #require(html.range(of: "<main>"))
        #expect(header.lowerBound < main.lowerBound)
        for id in ["totals", "timeline", "by-path", "groups", "samples", "breaker", "cohorts", "settings"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.contains("<polyline class=\"series\""))
        #expect(html.contains("<line class=\"budget\""))
        #expect(html.contains("<line class=\"transition state-open\""))
        #expect(html.contains("@media print"))
        #expect(html.contains("<details>"))
        // Nothing is loaded from anywhere.
        // The only URL is the SVG namespace name, which is never fetched.
        #expect(html.components(separatedBy: "://").count - 1 == 1)
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
    }

    @Test func longValuesAreTruncatedWithAMarker() {
        let html = HTMLReport.render(HostileReport.report())
        #expect(!html.contains(HostileReport.long))
        #expect(html.contains("[truncated: "))
    }

    @Test func theDifferingPartIsHighlighted() {
        let (v1, v2) = HTMLReport.highlighted(.string("abc-OLD-xyz"), .string("abc-NEW-xyz"))
        #expect(v1 == "<pre>&quot;abc-<mark>OLD</mark>-xyz&quot;</pre>")
        #expect(v2 == "<pre>&quot;abc-<mark>NEW</mark>-xyz&quot;</pre>")
        let (absent, present) = HTMLReport.highlighted(nil, .string("<b>"))
        #expect(absent == HTMLReport.absent)
        #expect(present == "<pre>&quot;&lt;b&gt;&quot;</pre>")
    }

    @Test func anEmptyReportIsWellFormedAndInconclusive() throws {
        let html = HTMLReport.render(HostileReport.empty())
        let parsed = try Validators.check(Validators.html, html)
        #expect(parsed["errors"]?.strings == [])
        #expect(html.contains("<header class=\"verdict inconclusive\">"))
        #expect(html.contains("No comparisons were recorded over time."))
    }

    /// The x ranges the chart's labels of `labelClass` take, as the chart estimates a label's width.
    static func labelRanges(_ html: String, labelClass: String) throws -> [ClosedRange<Double>] {
        let pattern = try Regex(
            #"<text class="\#(labelClass)" x="([0-9.]+)" y="[0-9.]+"( text-anchor="end")?><title>[^<]*</title>([^<]*)</text>"#
        )
        return html.matches(of: pattern).compactMap { match -> ClosedRange<Double>? in
            guard let x = Double(String(match.output[1].substring ?? "")) else { return nil }
            let width = HTMLReport.labelWidth(String(match.output[3].substring ?? "")) - 8
            return match.output[2].substring == nil ? x...(x + width) : (x - width)...x
        }
    }

    @Test(arguments: [1, 2, 7, 30, 300, 3000])
    func noTransitionOrRolloutLabelOverprintsAnother(count: Int) throws {
        var report = HostileReport.report()
        let start = report.timeline.first?.at ?? report.startedAt
        let span = (report.timeline.last?.at ?? start).timeIntervalSince(start)
        let states: [BreakerState] = [.open, .halfOpen, .closed]
        var rng = SplitMix64(seed: UInt64(count))
        report.transitions = (0..<count).map { index in
            let at = start + Double.random(in: 0...span, using: &rng)
            return .init(
                at: at, from: states[index % 3], to: states[(index + 1) % 3], mismatchRate: 0.01, samples: 100)
        }.sorted { $0.at < $1.at }
        report.rollout = RolloutStatus(
            stepIndex: 0, step: RolloutStep(stage: .shadow, canaryPercent: 0), enteredAt: start, compared: 0,
            mismatched: 0, halted: true, paused: false, finished: false,
            decisions: (0..<count).map { index in
                RolloutDecision(
                    at: start + span * Double(index) / Double(count),
                    step: RolloutStep(stage: .live, canaryPercent: index % 100 + 1), reason: .confident,
                    consistency: 1, samples: 400)
            })
        let html = HTMLReport.render(report)
        #expect(try Validators.check(Validators.html, html)["errors"]?.strings == [])
        for labelClass in ["transition-label", "rollout-label"] {
            let ranges = try Self.labelRanges(html, labelClass: labelClass).sorted { $0.lowerBound < $1.lowerBound }
            #expect(!ranges.isEmpty)
            for (a, b) in zip(ranges, ranges.dropFirst()) {
                #expect(a.upperBound <= b.lowerBound, "\(labelClass): \(a) overlaps \(b)")
            }
            // Every label stays inside the chart (760 wide, 16 right margin).
            #expect(ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= 744.5 }, "\(labelClass)")
        }
        // Every transition keeps its own line and tooltip.
        #expect(html.components(separatedBy: "<line class=\"transition state-").count - 1 == count)
        // A long decision list folds.
        #expect(html.contains("<details><summary>\(count) decisions</summary>") == (count > HTMLReport.foldRows))
    }

    @Test func axisTicksCarryTheDigitsTheirSpacingNeeds() {
        #expect(HTMLReport.tickPercent(0.957423, step: 0.0106) == "95.7%")
        #expect(HTMLReport.tickPercent(0.99995, step: 0.000025) == "99.995%")
        #expect(HTMLReport.tickPercent(1, step: 0.0106) == "100%")
        #expect(HTMLReport.tickPercent(0.5, step: 0.125) == "50%")
    }

    @Test func aLongListOfSampledKeysFoldsAfterTheFirstTen() throws {
        var report = HostileReport.report()
        let diff = Report.Diff(path: "name", kind: .changed, v1: .string("a"), v2: .string("b"))
        report.mismatches = (0..<30).map { Report.Mismatch(key: "key-\($0)", diffs: [diff]) }
        let html = HTMLReport.render(report)
        #expect(try Validators.check(Validators.html, html)["errors"]?.strings == [])
        let fold = try #require(html.range(of: "<details class=\"more-keys\"><summary>20 more keys</summary>"))
        #expect(try #require(html.range(of: "key-9</code>")).lowerBound < fold.lowerBound)
        #expect(try #require(html.range(of: "key-10</code>")).lowerBound > fold.lowerBound)
        report.mismatches = Array(report.mismatches.prefix(10))
        #expect(!HTMLReport.render(report).contains("more-keys"))
        #expect(ReportText.share(0.295918) == "29.6%")
        #expect(ReportText.share(0.5) == "50%")
        #expect(ReportText.rate(0.014545) == "1.45%")
        #expect(ReportText.rate(0.000123456) == "0.0123%")
        #expect(ReportText.rate(0.2) == "20%")
        #expect(ReportText.rate(0) == "0%")
    }
}
