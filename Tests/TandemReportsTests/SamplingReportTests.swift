import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

/// What the comparator's CPU budget skipped, in every format: one sentence in the human ones, numbers in the others.
@Suite struct SamplingReportTests {
    static func report(skipped: Int) -> Report {
        var report = HostileReport.report()
        report.totals.shed = 20
        report.sampling = Report.Sampling(rate: 0.5, budgetOffered: 80, budgetSkipped: skipped)
        return report
    }

    @Test func theHumanFormatsSayWhatTheBudgetSkippedAndTheEffectiveRate() {
        // 60 of 100 asked comparisons were made (20 shed, 20 skipped), at a plan rate of 0.5.
        let report = Self.report(skipped: 20)
        #expect(report.effectiveSampleRate == 0.3)
        let sentence =
            "Comparison budget: skipped 20 of 80 queued comparisons; effective sample rate 0.3000 (plan: 0.5)"
        #expect(ReportText.sampling(report) == sentence)
        #expect(HTMLReport.render(report).contains("<p class=\"sampling\">\(sentence).</p>"))
        #expect(MarkdownReport.render(report).contains(sentence + ".\n"))
        #expect(RunSummary.render(report, files: []).contains("  " + sentence + "\n"))
    }

    @Test func nothingSkippedSaysNothingInTheHumanFormatsAndZeroInTheOthers() throws {
        let report = Self.report(skipped: 0)
        #expect(ReportText.sampling(report) == nil)
        #expect(!HTMLReport.render(report).contains("class=\"sampling\""))
        #expect(!RunSummary.render(report, files: []).contains("Comparison budget"))
        let json = try JSONValue(parsing: JSONReport.render(report), maxDepth: 100)
        #expect(json["sampling"]?["budget_skipped"]?.doubleValue == 0)
        #expect(json["sampling"]?["effective_sample_rate"]?.doubleValue == 0.4)
        #expect(PrometheusReport.render(report).contains("tandem_budget_skipped_total 0\n"))
    }
}
