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
}
