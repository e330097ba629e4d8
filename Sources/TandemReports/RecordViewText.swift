import Foundation
import Tandem
import TandemProto

/// The text layout of `tandem diff`: both records side by side, then the differences.
package enum RecordViewText {
    /// The view as text: a header with the key and both seqs, the two records as JSON in two columns, the diffs.
    package static func render(_ view: RecordView) -> String {
        let options = JSONWritingOptions(pretty: true)
        func lines(_ value: JSONValue) -> [String] {
            value.jsonString(options: options).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let left = lines(view.shadow)
        let right = lines(view.projected)
        let width = max(24, min(60, left.map(\.count).max() ?? 0))
        let primarySeq = view.primarySeq.map(String.init) ?? "-"
        let shadowSeq = view.shadowSeq.map(String.init) ?? "-"
        var out = "key \(view.key)   seq primary \(primarySeq), shadow \(shadowSeq)\n"
        out += "shadow (v1)".padding(toLength: width, withPad: " ", startingAt: 0) + " | primary projected to v1\n"
        out += String(repeating: "-", count: width) + "-+-" + String(repeating: "-", count: width) + "\n"
        for row in 0..<max(left.count, right.count) {
            let l = row < left.count ? left[row] : ""
            let r = row < right.count ? right[row] : ""
            out += l.padding(toLength: width, withPad: " ", startingAt: 0) + " | " + r + "\n"
        }
        if view.diffs.isEmpty {
            out += "\nno differences\n"
        } else {
            out += "\n\(view.diffs.count) difference(s):\n"
            for diff in view.diffs {
                out += "  \(diff.path)  \(diff.kind)"
                if let v1 = diff.v1 { out += "  v1=\(v1.jsonString())" }
                if let v2 = diff.v2 { out += "  v2=\(v2.jsonString())" }
                if let detail = diff.detail { out += "  (\(detail))" }
                out += "\n"
            }
        }
        return out
    }
}
