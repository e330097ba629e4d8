import Foundation
import Tandem
import TandemProto

/// Text helpers shared by the human-readable formats: values as compact JSON, truncation with a marker, numbers as
/// people read them, and the verdict word.
enum ReportText {
    /// A diff value as compact proto3 JSON text, or the empty string when the side has no value.
    static func value(_ value: JSONValue?) -> String { value?.jsonString() ?? "" }

    /// A diff value for display: compact JSON, or `(absent)`.
    static func display(_ value: JSONValue?) -> String { value?.jsonString() ?? "(absent)" }

    /// `text` cut to at most `limit` characters, with a marker saying how much was left out.
    static func truncated(_ text: String, limit: Int) -> String {
        // Counting characters is linear; compare the cheap UTF-8 length first (it is never smaller).
        guard text.utf8.count > limit else { return text }
        let count = text.count
        guard count > limit else { return text }
        return String(text.prefix(limit)) + truncationMarker(count - limit)
    }

    /// The marker that ends a truncated value.
    static func truncationMarker(_ omitted: Int) -> String { "… [truncated: \(omitted) more characters]" }

    /// What the comparator's CPU budget skipped and the effective sample rate, as a sentence without a final stop;
    /// `nil` when the budget skipped nothing (the sentence would say nothing).
    static func sampling(_ report: Report) -> String? {
        guard let sampling = report.sampling, let rate = report.effectiveSampleRate, sampling.budgetSkipped > 0 else {
            return nil
        }
        return "Comparison budget: skipped \(sampling.budgetSkipped) of \(sampling.budgetOffered) queued "
            + "comparisons; effective sample rate \(String(format: "%.4f", rate)) (plan: \(number(sampling.rate)))"
    }

    /// The unknown fields the legacy writer sent, per field, as a sentence without a final stop (the ten most
    /// frequent named, the rest counted, each path through `shown`); `nil` when it sent none.
    static func legacyUnknownFields(_ report: Report, path shown: (String) -> String = { $0 }) -> String? {
        guard let fields = report.legacyUnknownFields, !fields.isEmpty else { return nil }
        let total = fields.reduce(0) { $0 + $1.count }
        var named = fields.prefix(10).map { "\(shown($0.path)) (field \($0.number)): \($0.count)" }
            .joined(separator: ", ")
        if fields.count > 10 { named += ", and \(fields.count - 10) more fields" }
        return "The legacy writer sent \(total) unknown field\(total == 1 ? "" : "s") beyond the v1 schema, counted "
            + "before the whitelist trims them and never as mismatches: \(named)"
    }

    /// A ratio as a percentage with enough digits to tell 99.99% from 99.995% (`n/a` when not a number).
    static func percent(_ ratio: Double) -> String {
        guard ratio.isFinite else { return ratio.isNaN ? "n/a" : (ratio > 0 ? "∞" : "-∞") }
        var text = String(format: "%.4f", ratio * 100)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }

    /// A share of a whole, to one decimal (`29.6%`): enough to rank groups, without the precision of a consistency.
    static func share(_ ratio: Double) -> String {
        guard ratio.isFinite else { return "n/a" }
        var text = String(format: "%.1f", ratio * 100)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text + "%"
    }

    /// A mismatch rate to three significant digits (`1.45%`, `0.0123%`): rates span orders of magnitude, so fixed
    /// decimals would either hide a small one or pad a large one.
    static func rate(_ ratio: Double) -> String {
        guard ratio.isFinite else { return "n/a" }
        guard ratio > 0 else { return "0%" }
        let percent = ratio * 100
        let digits = max(0, 2 - Int(log10(percent).rounded(.down)))
        var text = String(format: "%.\(min(digits, 8))f", percent)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + "%"
    }

    /// A plain number for display (`0.9999`, `n/a`).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "∞" : "-∞") }
        return String(value)
    }

    /// RFC 3339 with milliseconds, UTC.
    static func timestamp(_ date: Date) -> String { JSONReport.timestamp(date) }

    /// The mismatch count of each group's kind, most frequent first, then by name.
    static func mismatchesByKind(_ report: Report) -> [(kind: String, count: Int)] {
        var counts: [String: Int] = [:]
        for group in report.fields { counts[group.kind.rawValue, default: 0] += group.count }
        return counts.map { ($0.key, $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.kind < $1.kind
        }
    }
}
