import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct ReportRendererTests {
    @Test(arguments: [
        ("report.json", ReportFormat.json), ("out/r.CSV", .csv), ("junit.xml", .junit), ("a.b/page.html", .html),
        ("page.htm", .html), ("summary.md", .md), ("metrics.prom", .prom),
    ])
    func formatFollowsTheExtension(path: String, format: ReportFormat) {
        #expect(ReportFormat(path: path) == format)
    }

    @Test(arguments: ["report", "report.txt", "dir.json/report", ".json", "report."])
    func unknownExtensionsHaveNoFormat(path: String) {
        #expect(ReportFormat(path: path) == nil)
    }

    @Test func namesAndExtensionsOfEveryFormat() {
        #expect(ReportFormat.allCases.map(\.fileExtension) == ["json", "csv", "xml", "html", "md", "prom"])
        #expect(ReportFormat.allCases.allSatisfy { ReportFormat(name: $0.rawValue) == $0 })
        #expect(ReportFormat(name: "JUnit") == .junit)
        #expect(ReportFormat(name: "xml") == .junit)
        #expect(ReportFormat(name: "yaml") == nil)
    }

    /// The redacted field's clear value is nowhere (it never reached the report); its token is shown wherever values
    /// are. Keys are not redacted by design: `user-7` is shown as a key.
    @Test(arguments: ReportFormat.allCases)
    func aRedactedValueShowsOnlyAsItsToken(format: ReportFormat) {
        var report = HostileReport.report()
        // The redacted sample first, so that even the Markdown summary's few samples show it.
        report.mismatches.insert(report.mismatches.removeLast(), at: 0)
        let output = ReportRenderer.render(report, as: format)
        #expect(!output.contains(HostileReport.secret))
        #expect(!output.contains("123-45-6789"))
        if format != .prom {
            #expect(output.contains(HostileReport.token), "the token is shown in \(format)")
        }
        #expect(HostileReport.token.hasPrefix("redacted:"))
    }

    @Test(arguments: ReportFormat.allCases)
    func everyFormatRendersTheEmptyReport(format: ReportFormat) {
        let output = ReportRenderer.render(HostileReport.empty(), as: format)
        #expect(!output.isEmpty)
        #expect(output.utf8.last == UInt8(ascii: "\n"))
    }

    @Test func theVerdictFollowsTheExitCode() {
        #expect(ReportVerdict(HostileReport.report()) == .failed)
        #expect(ReportVerdict(HostileReport.report(passed: true)) == .passed)
        #expect(ReportVerdict(HostileReport.empty()) == .inconclusive)
    }
}
