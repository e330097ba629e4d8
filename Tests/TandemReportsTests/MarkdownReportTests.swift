import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct MarkdownReportTests {
    /// The code spans of a line (CommonMark 6.1), with GFM's `\|` table escape undone.
    func codeSpans(_ line: String) -> [String] {
        let scalars = Array(line.unicodeScalars)
        var spans: [String] = []
        var index = 0
        func run(at start: Int) -> Int {
            var end = start
            while end < scalars.count, scalars[end] == "`" { end += 1 }
            return end - start
        }
        while index < scalars.count {
            guard scalars[index] == "`", index == 0 || scalars[index - 1] != "\\" else {
                index += 1
                continue
            }
            let length = run(at: index)
            var search = index + length
            var closing: Int?
            while search < scalars.count {
                if scalars[search] == "`" {
                    let other = run(at: search)
                    if other == length {
                        closing = search
                        break
                    }
                    search += other
                } else {
                    search += 1
                }
            }
            guard let closing else { break }
            var content = String(String.UnicodeScalarView(scalars[(index + length)..<closing]))
            if content.hasPrefix(" ") && content.hasSuffix(" ") && content.count > 1 {
                content = String(content.dropFirst().dropLast())
            }
            spans.append(content.replacingOccurrences(of: "\\|", with: "|"))
            index = closing + length
        }
        return spans
    }

    /// The line with its code spans removed.
    func withoutCode(_ line: String) -> String {
        var out = ""
        var inCode = false
        var fence = 0
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "`" {
                var end = index
                while end < scalars.count, scalars[end] == "`" { end += 1 }
                let length = end - index
                if !inCode {
                    inCode = true
                    fence = length
                } else if length == fence {
                    inCode = false
                }
                index = end
                continue
            }
            if !inCode { out.unicodeScalars.append(scalars[index]) }
            index += 1
        }
        return out
    }

    /// Pipes that split a GFM table row: those not preceded by a backslash.
    func cellSeparators(_ line: String) -> Int {
        var count = 0
        var previous: Unicode.Scalar = " "
        for scalar in line.unicodeScalars {
            if scalar == "|" && previous != "\\" { count += 1 }
            previous = scalar
        }
        return count
    }

    @Test func tablesKeepTheirShapeAndValuesStayInCodeSpans() throws {
        let report = HostileReport.report()
        let markdown = MarkdownReport.render(report)
        let lines = markdown.components(separatedBy: "\n")
        var columns: Int?
        for line in lines {
            guard line.hasPrefix("|") else {
                columns = nil
                continue
            }
            #expect(line.hasSuffix("|"), "row \(line.debugDescription)")
            let separators = cellSeparators(line)
            if let columns {
                #expect(separators == columns, "row \(line.debugDescription)")
            } else {
                columns = separators
            }
        }
        // No raw line breaks or carriage returns inside lines, and no HTML but the cohorts' <details>.
        #expect(!markdown.contains("\r"))
        for line in lines {
            let outside = withoutCode(line)
            let allowed = ["<details><summary>Cohorts</summary>", "</details>"]
            var stripped = outside
            for tag in allowed { stripped = stripped.replacingOccurrences(of: tag, with: "") }
            // Escaped as \< in plain text; never a raw tag.
            let raw = stripped.unicodeScalars.enumerated().contains { offset, scalar in
                scalar == "<" && (offset == 0 || Array(stripped.unicodeScalars)[offset - 1] != "\\")
            }
            #expect(!raw, "raw < in \(line.debugDescription)")
        }
        // The samples' keys read back from their code spans (pipes unescaped, line breaks shown as ↵).
        let spans = Set(lines.flatMap(codeSpans))
        let firstKeys = report.mismatches.prefix(MarkdownReport.maxSamples).map(\.key)
        for key in firstKeys {
            let shown = MarkdownReport.oneLine(ReportText.truncated(key, limit: MarkdownReport.maxValueLength))
            #expect(spans.contains { sameBytes($0, shown) }, "key \(key.debugDescription)")
        }
        #expect(spans.contains("`tick` | pipe || ``x``"))
        #expect(markdown.hasPrefix("### ❌ Tandem: **failed**"))
    }

    @Test func codeSpansUseALongerFenceThanAnyBacktickRun() {
        #expect(MarkdownReport.code("a`b") == "``a`b``")
        #expect(MarkdownReport.code("``x``") == "``` ``x`` ```")
        #expect(MarkdownReport.code("a|b") == "`a\\|b`")
        #expect(MarkdownReport.code("a|b", inTable: false) == "`a|b`")
        #expect(MarkdownReport.plain("*x* [l](u) <b> @me") == "\\*x\\* \\[l\\]\\(u\\) \\<b\\> \\@me")
    }

    @Test func anEmptyReportIsInconclusive() {
        let markdown = MarkdownReport.render(HostileReport.empty())
        #expect(markdown.hasPrefix("### ⚠️ Tandem: **inconclusive**"))
        #expect(!markdown.contains("Top mismatch groups"))
    }
}
