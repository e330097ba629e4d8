import Metrics

/// The facade's swift-metrics counters, created once so that the hot paths only increment.
///
/// Labels are low-cardinality by construction: `result` takes the three comparison outcomes, `kind` the six
/// ``FieldDiff/Kind`` values. The gauges `tandem_consistency` and `tandem_breaker_state` and the counter
/// `tandem_breaker_transitions_total{to}` come from the gate and the breaker themselves.
struct TandemMetrics: Sendable {
    /// `tandem_writes_total`: dual writes acknowledged.
    let writes: Counter
    /// `tandem_write_failures_total`: dual writes refused or failed.
    let writeFailures: Counter
    /// `tandem_reads_total{store}`: reads served, by the store that answered.
    let readsPrimary: Counter
    let readsShadow: Counter
    /// `tandem_shed_total`: comparisons dropped because the queue was full or closed.
    let shed: Counter
    /// `tandem_comparisons_total{result}`: comparisons made, by outcome.
    let comparisons: [ComparisonOutcome: Counter]
    /// `tandem_mismatches_total{kind}`: mismatching comparisons, once per kind of difference they show.
    let mismatches: [FieldDiff.Kind: Counter]

    /// Creates the counters with `factory`, or with the bootstrapped `MetricsSystem.factory` when `nil`.
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        writes = Counter(label: "tandem_writes_total", factory: factory)
        writeFailures = Counter(label: "tandem_write_failures_total", factory: factory)
        readsPrimary = Counter(label: "tandem_reads_total", dimensions: [("store", "primary")], factory: factory)
        readsShadow = Counter(label: "tandem_reads_total", dimensions: [("store", "shadow")], factory: factory)
        shed = Counter(label: "tandem_shed_total", factory: factory)
        var comparisons: [ComparisonOutcome: Counter] = [:]
        for outcome in [ComparisonOutcome.match, .mismatch, .inFlight] {
            comparisons[outcome] = Counter(
                label: "tandem_comparisons_total", dimensions: [("result", outcome.rawValue)], factory: factory)
        }
        self.comparisons = comparisons
        var mismatches: [FieldDiff.Kind: Counter] = [:]
        for kind in FieldDiff.Kind.allCases {
            mismatches[kind] = Counter(
                label: "tandem_mismatches_total", dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        self.mismatches = mismatches
    }

    func record(_ comparison: KeyComparison) {
        comparisons[comparison.outcome]?.increment()
        guard comparison.outcome == .mismatch else { return }
        for kind in Set(comparison.diffs.map(\.kind)) { mismatches[kind]?.increment() }
    }
}
