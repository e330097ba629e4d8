import Metrics

/// The engine's swift-metrics instruments, created once: `tandem_writes_total`, `tandem_comparisons_total{result}`,
/// `tandem_mismatches_total{kind}`, `tandem_shed_total` and `tandem_budget_skipped_total` (labels are low-cardinality enums, never keys or paths).
struct EngineMetrics: Sendable {
    let writes = Counter(label: "tandem_writes_total")
    let matches = Counter(label: "tandem_comparisons_total", dimensions: [("result", "match")])
    let mismatches = Counter(label: "tandem_comparisons_total", dimensions: [("result", "mismatch")])
    let inFlight = Counter(label: "tandem_comparisons_total", dimensions: [("result", "in_flight")])
    let shed = Counter(label: "tandem_shed_total")
    let budgetSkipped = Counter(label: "tandem_budget_skipped_total")
    let byKind: [FieldDiff.Kind: Counter] = Dictionary(
        uniqueKeysWithValues: FieldDiff.Kind.allCases.map {
            ($0, Counter(label: "tandem_mismatches_total", dimensions: [("kind", $0.rawValue)]))
        })

    /// Counts one outcome.
    func record(_ outcome: ComparisonOutcome) {
        switch outcome {
        case .match: matches.increment()
        case .mismatch: mismatches.increment()
        case .inFlight: inFlight.increment()
        case .shed: shed.increment()
        }
    }

    /// Counts a batch of outcomes, one increment per counter.
    func record(_ outcomes: [ComparisonOutcome]) {
        var counts = (match: 0, mismatch: 0, inFlight: 0, shed: 0)
        for outcome in outcomes {
            switch outcome {
            case .match: counts.match += 1
            case .mismatch: counts.mismatch += 1
            case .inFlight: counts.inFlight += 1
            case .shed: counts.shed += 1
            }
        }
        if counts.match > 0 { matches.increment(by: counts.match) }
        if counts.mismatch > 0 { mismatches.increment(by: counts.mismatch) }
        if counts.inFlight > 0 { inFlight.increment(by: counts.inFlight) }
        if counts.shed > 0 { shed.increment(by: counts.shed) }
    }

    /// Counts the differences of one mismatch by kind.
    func recordKinds(_ diffs: [FieldDiff]) {
        for diff in diffs { byKind[diff.kind]?.increment() }
    }
}
