import Tandem
import Testing

@Suite("Gate and breaker configuration")
struct GateConfigurationTests {
    @Test func defaultsMatchThePlanDefaults() throws {
        let gate = GateConfiguration()
        #expect(gate.minConsistency == 0.9999)
        #expect(gate.confidence == 0.95)
        #expect(gate.minSamples == 1000)
        #expect(gate.window == .count(100_000))
        #expect(abs(gate.mismatchBudget - 1e-4) < 1e-15)
        let breaker = BreakerConfiguration()
        #expect(breaker.openSeconds == 30)
        #expect(breaker.halfOpenProbes == 100)
        #expect(breaker.evaluationInterval == 100)
        #expect(breaker.tripConfidence == nil)
        #expect(breaker.mode == .enforce)
        try gate.validate()
        try breaker.validate()
    }

    @Test(arguments: [
        (GateConfiguration(minConsistency: 1.5), "gate.min_consistency must be in (0, 1), got 1.5"),
        (GateConfiguration(minConsistency: 1), "gate.min_consistency must be in (0, 1), got 1.0"),
        (GateConfiguration(confidence: 0), "gate.confidence must be in (0, 1), got 0.0"),
        (GateConfiguration(confidence: .nan), "gate.confidence must be in (0, 1), got nan"),
        (GateConfiguration(minSamples: 0), "gate.min_samples must be at least 1, got 0"),
        (GateConfiguration(window: .count(500)), "gate.window must be at least 1000, got 500"),
        (
            GateConfiguration(window: .seconds(0)),
            "gate.window_seconds must be a positive number of seconds, got 0.0"
        ),
    ])
    func outOfRangeGateValueNamesItsKey(configuration: GateConfiguration, message: String) {
        #expect(throws: GateConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.description == message)
            #expect(error.code == .outOfRange)
        }
    }

    @Test(arguments: [
        (BreakerConfiguration(openSeconds: -1), "breaker.open_seconds"),
        (BreakerConfiguration(openSeconds: .infinity), "breaker.open_seconds"),
        (BreakerConfiguration(halfOpenProbes: 0), "breaker.half_open_probes"),
        (BreakerConfiguration(evaluationInterval: 0), "breaker.evaluation_interval"),
        (BreakerConfiguration(tripConfidence: 1), "breaker.trip_confidence"),
    ])
    func outOfRangeBreakerValueNamesItsKey(configuration: BreakerConfiguration, key: String) {
        do {
            try configuration.validate()
            Issue.record("expected \(key) to be rejected")
        } catch {
            #expect(error.key == key)
            #expect(error.description.hasPrefix(key + " must be"))
        }
    }

    @Test func gateAndBreakerRefuseInvalidConfiguration() {
        #expect(throws: GateConfigurationError.self) {
            _ = try ConsistencyGate(configuration: GateConfiguration(minConsistency: 0))
        }
        #expect(throws: GateConfigurationError.self) {
            _ = try CircuitBreaker(configuration: BreakerConfiguration(halfOpenProbes: -1), logger: gateTestLogger)
        }
    }
}
