import Metrics

/// The facade's own swift-metrics counters, created once so that the hot paths only increment.
///
/// The engine already counts `tandem_writes_total`, `tandem_comparisons_total{result}`,
/// `tandem_mismatches_total{kind}` and `tandem_shed_total`, the gate `tandem_consistency` and the breaker
/// `tandem_breaker_state` and `tandem_breaker_transitions_total{to}`; the facade adds what only it sees: the store
/// that answered each read and the writes it refused or that failed. Labels are low-cardinality by construction.
struct TandemMetrics: Sendable {
    /// `tandem_write_failures_total`: dual writes refused or failed.
    let writeFailures: Counter
    /// `tandem_reads_total{store="primary"}`: reads the v2 store answered.
    let readsPrimary: Counter
    /// `tandem_reads_total{store="shadow"}`: reads the legacy store answered.
    let readsShadow: Counter

    /// Creates the counters with `factory`, or with the bootstrapped `MetricsSystem.factory` when `nil`.
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        writeFailures = Counter(label: "tandem_write_failures_total", factory: factory)
        readsPrimary = Counter(label: "tandem_reads_total", dimensions: [("store", "primary")], factory: factory)
        readsShadow = Counter(label: "tandem_reads_total", dimensions: [("store", "shadow")], factory: factory)
    }
}
