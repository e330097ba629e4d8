import Tandem

/// One CSV row per sampled mismatch diff (`key,path,kind,v1,v2`; values as compact proto3 JSON, empty when the side
/// has no value), with a header row, in RFC 4180 form: CRLF line ends, fields holding a comma, quote, CR or LF
/// quoted, quotes doubled.
///
/// Values are written exactly, never truncated or altered, so a CSV reader gets back what the report holds; in
/// particular a field starting with `=` is not neutralised for spreadsheets (open untrusted data as text).
public enum CSVReport {
    /// The columns, in order.
    public static let header = ["key", "path", "kind", "v1", "v2"]

    /// The report as CSV text.
    public static func render(_ report: Report) -> String {
        var out = row(header)
        for mismatch in report.mismatches {
            for diff in mismatch.diffs {
                out += row([mismatch.key, diff.path, diff.kind, ReportText.value(diff.v1), ReportText.value(diff.v2)])
            }
        }
        return out
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
