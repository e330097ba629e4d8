import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct CSVReportTests {
    @Test func pythonReadsBackEveryValueExactly() throws {
        let report = HostileReport.report()
        let csv = CSVReport.render(report)
        let rows = try Validators.check(Validators.csv, csv).arrayElements?.map(\.strings) ?? []
        var expected = [["key", "path", "kind", "v1", "v2"]]
        for mismatch in report.mismatches {
            for diff in mismatch.diffs {
                // Text cells a spreadsheet would run as formulas come back with the one quote that defuses them.
                expected.append([
                    CSVReport.neutralized(mismatch.key), CSVReport.neutralized(diff.path),
                    CSVReport.neutralized(diff.kind.rawValue), diff.v1?.jsonString() ?? "",
                    diff.v2?.jsonString() ?? "",
                ])
            }
        }
        #expect(rows.count == expected.count)
        for (row, wanted) in zip(rows, expected) {
            #expect(row.count == 5)
            #expect(zip(row, wanted).allSatisfy(sameBytes), "\(row) != \(wanted)")
        }
        // The long value is kept whole: CSV is the machine-readable format.
        #expect(csv.contains(HostileReport.long + "x"))
    }

    @Test func quotesOnlyWhenRFC4180RequiresAndEndsLinesWithCRLF() {
        #expect(CSVReport.field("plain") == "plain")
        #expect(CSVReport.field("a,b") == "\"a,b\"")
        #expect(CSVReport.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReport.field("line\nbreak") == "\"line\nbreak\"")
        #expect(CSVReport.field("cr\r") == "\"cr\r\"")
        // A quote followed by a combining mark is one Character but still a quote to a CSV reader.
        #expect(Array(CSVReport.field("\"\u{301}").unicodeScalars) == Array("\"\"\"\u{301}\"".unicodeScalars))
        #expect(CSVReport.render(HostileReport.empty()) == "key,path,kind,v1,v2\r\n")
    }

    @Test(arguments: ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"])
    func aKeyThatASpreadsheetWouldRunAsAFormulaIsDefused(key: String) throws {
        var report = HostileReport.empty()
        report.mismatches = [
            Report.Mismatch(key: key, diffs: [Report.Diff(path: "a", kind: .changed, v1: .number("-5"), v2: nil)])
        ]
        let rows = try Validators.check(Validators.csv, CSVReport.render(report)).arrayElements?.map(\.strings) ?? []
        #expect(rows.count == 2)
        #expect(rows.last?.first == "'" + key)
        // A JSON value keeps its exact text: a negative number is no formula.
        #expect(rows.last?[3] == "-5")
    }

    @Test func absentAndNullValuesStayDistinct() throws {
        var report = HostileReport.empty()
        report.mismatches = [
            Report.Mismatch(
                key: "k",
                diffs: [
                    Report.Diff(path: "a", kind: .missingInShadow, v1: nil, v2: .null)
                ])
        ]
        let rows = try Validators.check(Validators.csv, CSVReport.render(report)).arrayElements?.map(\.strings) ?? []
        #expect(rows == [["key", "path", "kind", "v1", "v2"], ["k", "a", "missing_in_shadow", "", "null"]])
    }
}
