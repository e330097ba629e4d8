import Tandem

/// One CSV row per sampled mismatch diff (`key,path,kind,v1,v2`; values as compact proto3 JSON, empty when the side
/// has no value), with a header row, in RFC 4180 form: CRLF line ends, fields holding a comma, quote, CR or LF
/// quoted, quotes doubled.
///
/// Values are never truncated. A text cell (key, path, kind) that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a single quote, as OWASP recommends against CSV
/// injection: keys come from traffic, so a key like `=HYPERLINK(...)` must not become a live formula. Strip one
/// leading `'` from such a cell to get the key back. The `v1` and `v2` cells are compact JSON, which never starts
/// with a formula character other than the `-` of a plain negative number, and are written exactly.
public enum CSVReport {
    /// The columns, in order.
    public static let header = ["key", "path", "kind", "v1", "v2"]

    /// The report as CSV text.
    public static func render(_ report: Report) -> String {
        var out = row(header)
        for mismatch in report.mismatches {
            for diff in mismatch.diffs {
                out += row([
                    neutralized(mismatch.key), neutralized(diff.path), neutralized(diff.kind.rawValue),
                    ReportText.value(diff.v1), ReportText.value(diff.v2),
                ])
            }
        }
        return out
    }

    /// `text`, with a single quote before it when a spreadsheet would read it as a formula (OWASP, CSV injection).
    static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// One record, ending with CRLF.
    static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// One field, quoted when RFC 4180 requires it.
    static func field(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return text }
        // Scalar by scalar: a quote followed by a combining mark is one Character, which a Character-level
        // replacement would not match, leaving a bare quote.
        var out = "\""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if scalar == "\"" { out.unicodeScalars.append("\"") }
            out.unicodeScalars.append(scalar)
        }
        out.unicodeScalars.append("\"")
        return out
    }
}
