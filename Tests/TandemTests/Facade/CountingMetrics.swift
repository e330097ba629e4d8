import CoreMetrics
import Synchronization

/// A swift-metrics backend that keeps counter totals by label and dimensions, so tests can read what the facade
/// counted without bootstrapping the process-wide `MetricsSystem`.
final class CountingMetrics: MetricsFactory, Sendable {
    private let totals = Mutex<[String: Int64]>([:])

    /// The total of the counter `label` with exactly `dimensions`.
    func value(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        totals.withLock { $0[Self.name(label, dimensions)] ?? 0 }
    }

    static func name(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.isEmpty ? label : label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    final class Handler: CounterHandler, Sendable {
        let name: String
        let factory: CountingMetrics
        init(name: String, factory: CountingMetrics) {
            self.name = name
            self.factory = factory
        }
        func increment(by amount: Int64) { factory.totals.withLock { $0[name, default: 0] += amount } }
        func reset() { factory.totals.withLock { $0[name] = 0 } }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        NOOPMetricsHandler.instance
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { NOOPMetricsHandler.instance }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
