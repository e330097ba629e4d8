import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct JUnitReportTests {
    @Test func minidomParsesAHostileReportWithATestCasePerGroupPlusTheGate() throws {
        var report = HostileReport.report()
        report.fields[0].sampleDiffs[0].v1 = .string(HostileReport.long)
        let xml = JUnitReport.render(report)
        let parsed = try Validators.check(Validators.junit, xml)
        #expect(parsed["suites"]?.int64Value == 1)
        #expect(parsed["tests"]?.stringValue == "\(report.fields.count + 1)")
        #expect(parsed["failures"]?.stringValue == "\(report.fields.count + 1)")
        #expect(sameBytes(parsed["name"]?.stringValue ?? "", xmlSanitized("tandem." + report.plan)))
        let cases = parsed["cases"]?.arrayElements ?? []
        try #require(cases.count == report.fields.count + 1)

        let gate = cases[0]
        #expect(gate["classname"]?.stringValue == "tandem.gate")
        let reason = ReportText.truncated(report.gate.reason, limit: JUnitReport.maxValueLength)
        #expect(sameBytes(gate["message"]?.stringValue ?? "", xmlSanitized(reason)))

        for (group, testCase) in zip(report.fields, cases.dropFirst()) {
            #expect(testCase["classname"]?.stringValue == "tandem.fields")
            let text = testCase["text"]?.stringValue ?? ""
            #expect(text.hasPrefix("\(group.count) mismatches at "))
            #expect(!text.contains("fourth, never shown"), "at most 3 examples")
            // Attribute values keep tabs and line breaks (they are written as character references).
            #expect(
                sameBytes(
                    testCase["name"]?.stringValue ?? "",
                    xmlSanitized("\(group.path) (\(group.kind))")))
        }
        let first = cases[1]["text"]?.stringValue ?? ""
        #expect(first.contains(ReportText.truncationMarker(HostileReport.long.count + 2 - JUnitReport.maxValueLength)))
        #expect(!xml.contains(HostileReport.long))
        #expect(parsed["properties"]?["verdict"]?.stringValue == "failed")
    }

    @Test func aPassedGateHasNoFailure() throws {
        var report = HostileReport.report(groups: 0, passed: true)
        report.fields = []
        report.transitions = []
        let parsed = try Validators.check(Validators.junit, JUnitReport.render(report))
        let cases = parsed["cases"]?.arrayElements ?? []
        #expect(cases.count == 1)
        #expect(cases.first?["message"] == .null)
        #expect(parsed["failures"]?.stringValue == "0")
    }

    @Test func anEmptyReportIsAnInconclusiveGateFailure() throws {
        let parsed = try Validators.check(Validators.junit, JUnitReport.render(HostileReport.empty()))
        let cases = parsed["cases"]?.arrayElements ?? []
        #expect(cases.count == 1)
        #expect(cases.first?["message"]?.stringValue == "inconclusive: 0 of 100 required comparisons")
    }

    @Test func forbiddenCharactersBecomeReplacementCharacters() {
        let nonCharacters = HostileReport.scalars(0xFFFF, 0xFDD0)
        #expect(
            MarkupEscaping.escape("a\u{0}b\u{1B}c" + nonCharacters, .xml) == "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
                + HostileReport.scalars(0xFDD0))
        #expect(MarkupEscaping.escape("<&>\"'\t\n\r", .xml) == "&lt;&amp;&gt;&quot;&#39;&#9;&#10;&#13;")
        #expect(MarkupEscaping.escape("\u{85}" + nonCharacters, .html) == "\u{FFFD}\u{FFFD}\u{FFFD}")
    }
}
