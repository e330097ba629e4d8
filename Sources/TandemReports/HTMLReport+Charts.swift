import Foundation
import Tandem

extension HTMLReport {
    /// Consistency over time as an inline SVG line chart: the budget as a dashed line, breaker transitions as
    /// vertical markers. Only numbers computed here reach the SVG's attributes; names go through ``escape(_:)``.
    static func timelineChart(_ report: Report) -> String {
        let points = report.timeline.filter { $0.consistency.isFinite }
        guard !points.isEmpty else { return "<p class=\"empty\">No comparisons were recorded over time.</p>\n" }
        let width = 760.0
        let height = 260.0
        let left = 64.0
        let right = 16.0
        let top = 16.0
        let bottom = 40.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom

        let budget = report.gate.minConsistency.isFinite ? min(max(report.gate.minConsistency, 0), 1) : 1
        let lowest = min(points.map(\.consistency).min() ?? 1, budget)
        let span = max(1 - lowest, 0.0001) * 1.15
        let yMin = max(0, 1 - span)
        func y(_ value: Double) -> Double {
            top + plotHeight * (1 - (min(max(value, yMin), 1) - yMin) / (1 - yMin))
        }

        // Time on the x axis when the points carry distinct times, else their order.
        let start = points.first?.at.timeIntervalSinceReferenceDate ?? 0
        let end = points.last?.at.timeIntervalSinceReferenceDate ?? 0
        let byTime = end > start && points.count > 1
        func x(index: Int, at: Date) -> Double {
            if byTime {
                let fraction = (at.timeIntervalSinceReferenceDate - start) / (end - start)
                return left + plotWidth * min(max(fraction, 0), 1)
            }
            return points.count == 1
                ? left + plotWidth / 2 : left + plotWidth * Double(index) / Double(points.count - 1)
        }
        func format(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg =
            "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\""
        svg += " role=\"img\" aria-labelledby=\"timeline-title\">\n"
        svg +=
            "<title id=\"timeline-title\">Consistency over time, from \(ReportText.percent(points[0].consistency)) to "
        svg +=
            "\(ReportText.percent(points[points.count - 1].consistency)); budget \(ReportText.percent(budget))</title>\n"
        // Axes and grid.
        for tick in 0...4 {
            let value = yMin + (1 - yMin) * Double(tick) / 4
            svg +=
                "<line class=\"grid\" x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(y(value)))\" "
            svg += "y2=\"\(format(y(value)))\"/>\n"
            svg += "<text class=\"axis\" x=\"\(format(left - 6))\" y=\"\(format(y(value) + 4))\" text-anchor=\"end\">"
            svg += "\(tickPercent(value, step: (1 - yMin) / 4))</text>\n"
        }
        let startLabel = byTime ? shortTime(points[0].at) : "1"
        let endLabel = byTime ? shortTime(points[points.count - 1].at) : "\(points.count)"
        svg += "<text class=\"axis\" x=\"\(format(left))\" y=\"\(format(height - 12))\">\(escape(startLabel))</text>\n"
        svg += "<text class=\"axis\" x=\"\(format(width - right))\" y=\"\(format(height - 12))\" text-anchor=\"end\">"
        svg += "\(escape(endLabel))</text>\n"
        svg +=
            "<text class=\"axis\" x=\"\(format(left + plotWidth / 2))\" y=\"\(format(height - 12))\" text-anchor=\"middle\">"
        svg += byTime ? "time (UTC)" : "checkpoint"
        svg += "</text>\n"

        // Budget.
        svg +=
            "<line class=\"budget\" x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(y(budget)))\" "
        svg += "y2=\"\(format(y(budget)))\"><title>budget \(ReportText.percent(budget))</title></line>\n"
        svg += "<text class=\"budget-label\" x=\"\(format(width - right - 4))\" y=\"\(format(y(budget) - 4))\" "
        svg += "text-anchor=\"end\">budget \(ReportText.percent(budget))</text>\n"

        func position(_ at: Date) -> Double {
            if byTime { return x(index: 0, at: at) }
            let index = points.firstIndex { $0.at >= at } ?? (points.count - 1)
            return x(index: index, at: at)
        }
        // Breaker transitions along the top, rollout steps along the bottom; labels grouped so none overprints.
        let transitions = report.transitions.map { transition in
            ChartMarker(
                x: position(transition.at), label: transition.to.rawValue,
                detail: "\(ReportText.timestamp(transition.at)): \(transition.from) to \(transition.to) (mismatch rate "
                    + "\(ReportText.rate(transition.mismatchRate)) over \(transition.samples) comparisons)",
                lineClass: "transition state-\(stateClass(transition.to.rawValue))")
        }
        svg += chartMarkers(
            transitions, labelY: top + 10, top: top, bottom: top + plotHeight, right: width - right, noun: "transition",
            labelClass: "transition-label")
        if let rollout = report.rollout {
            let steps = rollout.decisions.map { decision in
                ChartMarker(
                    x: position(decision.at), label: decision.step.description,
                    detail: "\(ReportText.timestamp(decision.at)): \(decision.reason) -> \(decision.step) (consistency "
                        + "\(ReportText.percent(decision.consistency)) over \(decision.samples) comparisons)",
                    lineClass: "rollout-step")
            }
            svg += chartMarkers(
                steps, labelY: top + plotHeight - 6, top: top, bottom: top + plotHeight, right: width - right,
                noun: "step", labelClass: "rollout-label")
        }

        // The series.
        if points.count == 1 {
            svg += "<circle class=\"series\" cx=\"\(format(x(index: 0, at: points[0].at)))\" "
            svg += "cy=\"\(format(y(points[0].consistency)))\" r=\"3\"/>\n"
        } else {
            let coordinates = points.enumerated().map { index, point in
                "\(format(x(index: index, at: point.at))),\(format(y(point.consistency)))"
            }
            svg += "<polyline class=\"series\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        }
        svg += "</svg>\n<figcaption>Cumulative consistency at \(points.count) point\(points.count == 1 ? "" : "s")"
        svg += "; dashed: the budget; vertical lines: breaker transitions (labels at the top)"
        svg += report.rollout == nil ? "" : " and rollout steps (labels at the bottom)"
        svg += ".</figcaption>\n</figure>\n"
        return svg
    }

    /// Mismatch counts by path (kinds added up) as CSS bars, most frequent first.
    static func pathBars(_ report: Report) -> String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for group in report.fields {
            if counts[group.path] == nil { order.append(group.path) }
            counts[group.path, default: 0] += group.count
        }
        let sorted = order.enumerated().sorted { a, b in
            let ca = counts[a.element] ?? 0
            let cb = counts[b.element] ?? 0
            return ca != cb ? ca > cb : a.offset < b.offset
        }.map(\.element)
        let largest = max(1, sorted.first.flatMap { counts[$0] } ?? 1)
        var out = "<div class=\"bars\" role=\"list\">\n"
        for path in sorted.prefix(maxBars) {
            let count = counts[path] ?? 0
            let percent = String(format: "%.1f", 100 * Double(count) / Double(largest))
            out +=
                "<div class=\"bar\" role=\"listitem\"><span class=\"bar-label\"><code>\(escape(name(path)))</code></span>"
            out += "<span class=\"bar-track\"><span class=\"bar-fill\" style=\"width: \(percent)%\"></span></span>"
            out += "<span class=\"bar-count\">\(count)</span></div>\n"
        }
        out += "</div>\n"
        if sorted.count > maxBars {
            out += "<p class=\"muted\">\(sorted.count - maxBars) more paths in the table below.</p>\n"
        }
        return out
    }

    /// `HH:mm:ss` (UTC) of an instant, with the date when the chart spans days.
    static func shortTime(_ date: Date) -> String {
        let text = ReportText.timestamp(date)
        // 2024-05-01T12:34:56.789Z -> 2024-05-01 12:34:56
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
