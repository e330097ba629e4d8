import Foundation
import Tandem

extension HTMLReport {
    /// A vertical marker on the timeline chart: a breaker transition or a rollout step.
    struct ChartMarker {
        /// The marker's x position in the SVG.
        var x: Double
        /// The short label (`open`, `live 25%`).
        var label: String
        /// The tooltip line (time, from, to, evidence).
        var detail: String
        /// The CSS class of its line (`transition state-open`, `rollout`).
        var lineClass: String
    }

    /// Tables longer than this fold into a `<details>` element (keys of a job, decisions of a rollout).
    static let foldRows = 20
    /// Sampled keys shown before the rest fold.
    static let foldKeys = 10

    /// The width a label of `text` takes at the chart's 10 px label size, with a little air.
    static func labelWidth(_ text: String) -> Double { Double(text.count) * 6.2 + 8 }

    /// Markers as lines, with their labels grouped so that no label overprints another, whatever their number: a
    /// marker closer to the previous label's start than that label is wide joins its group, which is then labelled
    /// `n transitions` (or `n steps`) with every member in its tooltip. A label near the right edge moves left to
    /// stay inside the chart.
    static func chartMarkers(
        _ markers: [ChartMarker], labelY: Double, top: Double, bottom: Double, right: Double, noun: String,
        labelClass: String
    ) -> String {
        func format(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = ""
        for marker in markers {
            svg += "<line class=\"\(marker.lineClass)\" x1=\"\(format(marker.x))\" x2=\"\(format(marker.x))\" "
            svg += "y1=\"\(format(top))\" y2=\"\(format(bottom))\"><title>\(escape(marker.detail))</title></line>\n"
        }
        // Each label starts at its marker unless that would run past the right edge; a marker whose label would
        // start before the previous label ends joins that label's group. A group whose label no longer fits takes in
        // the group before it.
        struct Placed {
            var members: [ChartMarker]
            var text: String
            var start: Double
            var end: Double { start + HTMLReport.labelWidth(text) }
        }
        func place(_ members: [ChartMarker], after floor: Double) -> Placed {
            let text = groupLabel(members, noun: noun)
            let natural = (members.first?.x ?? 0) + 3
            return Placed(members: members, text: text, start: max(floor, min(natural, right - labelWidth(text))))
        }
        var placed: [Placed] = []
        for marker in markers.sorted(by: { $0.x < $1.x }) {
            guard let last = placed.last else {
                placed.append(place([marker], after: -.infinity))
                continue
            }
            let own = place([marker], after: last.end)
            if marker.x + 3 >= last.end && own.end <= right {
                placed.append(own)
                continue
            }
            placed.removeLast()
            var merged = place(last.members + [marker], after: placed.last?.end ?? -.infinity)
            while merged.end > right, let previous = placed.popLast() {
                merged = place(previous.members + merged.members, after: placed.last?.end ?? -.infinity)
            }
            placed.append(merged)
        }
        for group in placed {
            svg += "<text class=\"\(labelClass)\" x=\"\(format(group.start))\" y=\"\(format(labelY))\"><title>"
            svg +=
                escape(group.members.map(\.detail).joined(separator: "\n")) + "</title>\(escape(group.text))</text>\n"
        }
        return svg
    }

    /// One marker's own label, or `n <noun>s` for a group.
    static func groupLabel(_ group: [ChartMarker], noun: String) -> String {
        group.count == 1 ? (group.first?.label ?? "") : "\(group.count) \(noun)s"
    }

    /// Axis tick labels with as many decimals as the ticks' spacing needs (`95.7%`, `99.995%`), not more.
    static func tickPercent(_ value: Double, step: Double) -> String {
        let stepPercent = abs(step) * 100
        let digits = stepPercent > 0 && stepPercent.isFinite ? max(0, Int((-log10(stepPercent)).rounded(.up)) + 1) : 2
        var text = String(format: "%.\(min(digits, 6))f", value * 100)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + "%"
    }
}
