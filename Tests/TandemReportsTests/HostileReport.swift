import Foundation
import Tandem
import TandemProto

/// Builds reports whose every string is hostile: markup, quotes, separators, line breaks, control characters,
/// characters XML forbids, replacement characters (from invalid UTF-8), combining marks after quotes, very long
/// values, and a redacted value that must show only as its token.
enum HostileReport {
    static let script = "<script>alert('x')</script>"
    static let image = "<img src=x onerror=alert(1)>"
    /// 10,000 characters: every human format must truncate it, CSV must keep it whole.
    static let long = String(repeating: "0123456789", count: 1_000)
    /// The clear value of the redacted field; no output may contain it.
    static let secret = "123-45-6789-SECRET"
    /// The token the redactor produces for `secret`.
    static let token = Redactor(paths: [FieldPath(parsing: "ssn")], salt: Array("fixed-salt".utf8))
        .token(for: .string(secret))

    static let strings: [String] = [
        script, image, "a,b\"c\r\nd", "nul\u{0}here", "ctl\u{1}\u{8}\u{B}\u{C}\u{1B}\u{1F}\u{7F}\u{85}\u{9F}end",
        "non" + scalars(0xFFFE, 0xFFFF, 0xFDD0, 0x1FFFF) + "char", "]]><![CDATA[", "&amp;&lt;",
        "`tick` | pipe || ``x``", "\u{FFFD}\u{FFFD}",
        "\"\u{301}quote-combining", "👩‍👩‍👧 \u{202E}rtl", "back\\slash\\",
        "\n# TYPE tandem_gate_passed gauge\ntandem_gate_passed 1",
        "tab\there", "=cmd|' /C calc'!A0", "'single' \"double\"", "</details></td></tr></table>", "{{ template }}",
    ]

    /// Scalars a string literal cannot spell (noncharacters).
    static func scalars(_ values: UInt32...) -> String {
        var text = ""
        for value in values { if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) } }
        return text
    }

    static func report(groups: Int = 6, passed: Bool = false) -> Report {
        var totals = Report.Totals()
        totals.writes = 1_000
        totals.reads = 900
        totals.deletes = 3
        totals.compared = 880
        totals.mismatched = 17
        totals.matched = 863
        totals.inFlight = 2
        totals.shed = 1
        totals.badLines = 4
        let start = Date(timeIntervalSince1970: 1_714_566_896.125)
        var fields: [Report.FieldGroup] = []
        for index in 0..<groups {
            let text = strings[index % strings.count]
            let diffs = [
                Report.Diff(path: "profile.\(text)", kind: .changed, v1: .string(text), v2: .string(text + "!")),
                Report.Diff(path: "profile.\(text)", kind: .changed, v1: .number("12"), v2: nil),
                Report.Diff(
                    path: "profile.\(text)", kind: .changed, v1: .null, v2: .array([.string(text), .bool(true)])),
                Report.Diff(path: "profile.\(text)", kind: .changed, v1: .string("fourth, never shown"), v2: nil),
            ]
            fields.append(
                Report.FieldGroup(
                    path: "profile.\(text)", kind: index % 2 == 0 ? .changed : .missingInPrimary,
                    count: 100 - index, sampleKeys: ["k-\(index)-\(text)", text, "k3", "k4"],
                    sampleDiffs: diffs))
        }
        fields.append(
            Report.FieldGroup(
                path: "ssn", kind: .changed, count: 2, sampleKeys: ["user-7"],
                sampleDiffs: [Report.Diff(path: "ssn", kind: .changed, v1: .string(token), v2: .string(token + "0"))]))
        var mismatches = strings.map { text in
            Report.Mismatch(
                key: text,
                diffs: [
                    Report.Diff(
                        path: text, kind: .missingInShadow, v1: .string(text), v2: .object([.init(text, .string(text))])
                    ),
                    Report.Diff(path: "bytes", kind: .undecodable, v1: nil, v2: .string("AAE="), detail: text),
                ])
        }
        mismatches.append(
            Report.Mismatch(
                key: "long-\(long.prefix(10))",
                diffs: [
                    Report.Diff(path: "bio", kind: .changed, v1: .string(long), v2: .string(long + "x"))
                ]))
        mismatches.append(
            Report.Mismatch(
                key: "user-7",
                diffs: [
                    Report.Diff(path: "ssn", kind: .changed, v1: .string(token), v2: .string(token + "0"))
                ]))
        let transitions = [
            Report.Transition(
                at: start.addingTimeInterval(30), from: .closed, to: .open, mismatchRate: 0.02,
                samples: 500),
            Report.Transition(
                at: start.addingTimeInterval(90), from: .open, to: .halfOpen, mismatchRate: 0,
                samples: 0),
        ]
        let timeline = (0..<50).map { index in
            Report.TimelinePoint(
                at: start.addingTimeInterval(Double(index) * 3), compared: index * 20,
                mismatched: index / 3)
        }
        var cohorts: [String: Report.Cohort] = [:]
        for (index, text) in strings.enumerated() {
            cohorts[text] = Report.Cohort(compared: 40 + index, mismatched: index)
        }
        return Report(
            plan: "plan " + script, planFingerprint: "sha256:" + strings[2], source: "replay", startedAt: start,
            finishedAt: start.addingTimeInterval(150.5), totals: totals, consistency: 863.0 / 880.0,
            interval: Report.Interval(low: 0.97, high: 0.988, confidence: 0.95),
            gate: Report.Gate(
                minConsistency: 0.9999, minSamples: 100, passed: passed, confident: false,
                inconclusive: false, reason: "failed: " + strings.joined(separator: " ")),
            breakerState: .halfOpen, transitions: transitions, fields: fields, mismatches: mismatches,
            cohorts: cohorts, timeline: timeline,
            settings: strings.map { .other(key: "setting \($0)", value: $0) } + [.redact(["ssn"])])
    }

    /// A report with nothing in it: no comparisons, groups, samples, transitions, timeline or cohorts.
    static func empty() -> Report {
        let start = Date(timeIntervalSince1970: 1_714_566_896)
        return Report(
            plan: "empty", planFingerprint: "", source: "verify", startedAt: start, finishedAt: start,
            totals: Report.Totals(), consistency: 1, interval: Report.Interval(low: 0, high: 1, confidence: 0.95),
            gate: Report.Gate(
                minConsistency: 0.9999, minSamples: 100, passed: false, confident: false,
                inconclusive: true, reason: "inconclusive: 0 of 100 required comparisons"),
            breakerState: .closed, transitions: [], fields: [], mismatches: [], cohorts: [:], timeline: [],
            settings: [])
    }
}
