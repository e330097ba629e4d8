import Metrics

/// The engine's swift-metrics instruments, created once: `tandem_writes_total`, `tandem_comparisons_total{result}`,
/// `tandem_mismatches_total{kind}` and `tandem_shed_total` (labels are low-cardinality enums, never keys or paths).
struct EngineMetrics: Sendable {
    let writes = Counter(label: "tandem_writes_total")
    let matches = Counter(label: "tandem_comparisons_total", dimensions: [("result", "match")])
    let mismatches = Counter(label: "tandem_comparisons_total", dimensions: [("result", "mismatch")])
    let inFlight = Counter(label: "tandem_comparisons_total", dimensions: [("result", "in_flight")])
    let shed = Counter(label: "tandem_shed_total")
    let byKind: [FieldDiff.Kind: Counter] = Dictionary(
        uniqueKeysWithValues: FieldDiff.Kind.allCases.map {
            ($0, Counter(label: "tandem_mismatches_total", dimensions: [("kind", $0.rawValue)]))
        })

    func record(_ comparison: KeyComparison) {
        switch comparison.outcome {
        case .match:
            matches.increment()
        case .mismatch:
            mismatches.increment()
            for diff in comparison.diffs { byKind[diff.kind]?.increment() }
        case .inFlight:
            inFlight.increment()
        case .shed:
            shed.increment()
        }
    }
}
