import Foundation

/// A bounded consistency time series: cumulative comparisons and mismatches at points spread over the run, plus a
/// point at every breaker transition. When full, every other point is dropped and the spacing doubles.
public struct Timeline: Sendable {
    /// The points, in time order.
    public private(set) var points: [Report.TimelinePoint] = []
    private let maxPoints: Int
    private var spacing = 1
    private var sinceLast = 0

    /// Creates an empty timeline of at most `maxPoints` points.
    package init(maxPoints: Int = 1000) {
        self.maxPoints = max(4, maxPoints)
    }

    /// Notes the totals after `comparisons` comparisons (one by default; a page at a time in verify); `force` keeps a
    /// point (breaker transitions). The date and totals are read only when a point is kept.
    package mutating func observe(
        at date: @autoclosure () -> Date, totals: @autoclosure () -> GateTotals, comparisons: Int = 1,
        force: Bool = false
    ) {
        sinceLast += comparisons
        guard force || sinceLast >= spacing else { return }
        sinceLast = 0
        let totals = totals()
        points.append(Report.TimelinePoint(at: date(), compared: totals.compared, mismatched: totals.mismatched))
        if points.count >= maxPoints {
            points = points.enumerated().filter { $0.offset % 2 == 1 || $0.offset == points.count - 1 }.map(\.element)
            spacing *= 2
        }
    }

    /// Adds the final point.
    package mutating func close(at date: Date, totals: GateTotals) {
        if points.last?.compared != totals.compared || points.isEmpty {
            points.append(Report.TimelinePoint(at: date, compared: totals.compared, mismatched: totals.mismatched))
        }
    }
}
