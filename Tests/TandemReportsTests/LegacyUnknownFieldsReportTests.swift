import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

/// The unknown fields the legacy writer sent, per field, in every format: a list in JSON, a labelled counter in
/// Prometheus, one sentence in the human ones; nothing when it sent none.
@Suite struct LegacyUnknownFieldsReportTests {
    static func report() -> Report {
        var report = HostileReport.report()
        report.legacyUnknownFields = [
            Report.LegacyUnknownField(path: "99", number: 99, count: 3),
            Report.LegacyUnknownField(path: "items[*].7", number: 7, count: 2),
            Report.LegacyUnknownField(path: "status", number: 4, count: 1),
        ]
        return report
    }

    @Test func everyFormatShowsEachField() throws {
        let report = Self.report()
        let json = try JSONValue(parsing: JSONReport.render(report), maxDepth: 100)
        let fields = try #require(json["legacy_unknown_fields"])
        #expect(fields[2] != nil && fields[3] == nil)
        #expect(fields[1]?["path"]?.stringValue == "items[*].7")
        #expect(fields[1]?["number"]?.int64Value == 7)
        #expect(fields[1]?["count"]?.int64Value == 2)
        #expect(
            PrometheusReport.render(report).contains(
                "tandem_legacy_unknown_fields_total{path=\"items[*].7\",number=\"7\"} 2\n"))
        let sentence =
            "The legacy writer sent 6 unknown fields beyond the v1 schema, counted before the whitelist trims them "
            + "and never as mismatches: 99 (field 99): 3, items[*].7 (field 7): 2, status (field 4): 1"
        #expect(ReportText.legacyUnknownFields(report) == sentence)
        #expect(HTMLReport.render(report).contains("<p class=\"legacy-unknown\">\(sentence).</p>"))
        #expect(RunSummary.render(report, files: []).contains("  " + sentence + "\n"))
        // Markdown shows each path as code, so `[*]` is not read as markup.
        #expect(MarkdownReport.render(report).contains("`items[*].7` (field 7): 2"))
    }

    @Test func noneSentShowsNothing() throws {
        let report = HostileReport.report()
        #expect(ReportText.legacyUnknownFields(report) == nil)
        let json = try JSONValue(parsing: JSONReport.render(report), maxDepth: 100)
        #expect(json["legacy_unknown_fields"] == nil)
        #expect(!PrometheusReport.render(report).contains("tandem_legacy_unknown_fields_total"))
        #expect(!HTMLReport.render(report).contains("legacy-unknown"))
    }
}
