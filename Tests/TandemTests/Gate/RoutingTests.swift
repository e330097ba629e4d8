import Foundation
import Tandem
import TandemTesting
import Testing

@Suite("Stages and routing")
struct RoutingTests {
    @Test(arguments: [
        (MigrationStage.off, MigrationStage.Store.shadow, false, true, false),
        (.dualwrite, .shadow, true, true, false),
        (.shadow, .shadow, true, true, true),
        (.live, .primary, true, true, true),
        (.rampdown, .primary, true, true, false),
        (.complete, .primary, true, false, false),
    ])
    func stageDecidesAuthorityWritesAndComparison(
        stage: MigrationStage, authoritative: MigrationStage.Store, primary: Bool, shadow: Bool, compares: Bool
    ) {
        #expect(stage.authoritative == authoritative)
        #expect(stage.writesPrimary == primary)
        #expect(stage.writesShadow == shadow)
        #expect(stage.compares == compares)
    }

    /// Hard-coded values, computed by an independent implementation (FNV-1a 64 + MurmurHash3 fmix64):
    /// a change here would move every canary key and every sample.
    @Test(arguments: [
        ("u1", "", UInt64(0x3cb3_bb76_6b32_71fc), 0.23711749688227157),
        ("u2", "", 0xa6dc_06fc_e1ec_0ffc, 0.6517948501004157),
        ("user-42", "tandem.canary", 0xa44e_5486_afff_0bfc, 0.64182022369641),
        ("", "", 0x1bbd_5c81_3c69_a8d7, 0.10835817485022992),
    ])
    func keyHashIsStableAcrossRuns(key: String, salt: String, hash: UInt64, unit: Double) {
        #expect(KeyHash.hash(key, salt: salt) == hash)
        #expect(KeyHash.unit(key, salt: salt) == unit)
    }

    @Test func saltSeparatesFromKey() {
        #expect(KeyHash.hash("bc", salt: "a") != KeyHash.hash("c", salt: "ab"))
        #expect(KeyHash.unit("k", salt: "x") != KeyHash.unit("k", salt: "y"))
    }

    @Test(arguments: [0.0, 0.01, 0.1, 0.5, 1.0])
    func sampledShareMatchesRate(rate: Double) {
        let sampled = (0..<100_000).filter { KeyHash.sampled("key-\($0)", rate: rate) }.count
        #expect(abs(Double(sampled) / 100_000 - rate) < 0.005)
    }

    @Test(arguments: [0.0, 1.0, 5.0, 25.0, 100.0])
    func canaryShareMatchesPercentage(percent: Double) throws {
        let router = try Router(canaryPercent: percent)
        let routed = (0..<100_000).filter { router.route("user-\($0)") == .v2 }.count
        #expect(abs(Double(routed) / 100_000 - percent / 100) < 0.005)
    }

    @Test func routeIsStableAndGrowsMonotonically() throws {
        let small = try Router(canaryPercent: 5)
        let large = try Router(canaryPercent: 20)
        for i in 0..<10_000 {
            let key = "k\(i)"
            #expect(small.route(key) == small.route(key))
            // Raising the percentage only adds keys: nobody flips back to legacy.
            if small.route(key) == .v2 { #expect(large.route(key) == .v2) }
        }
    }

    @Test func haltedBreakerSendsEveryKeyToLegacy() throws {
        let breaker = try CircuitBreaker(clock: ManualClock(), logger: gateTestLogger)
        let router = try Router(canaryPercent: 100, breaker: breaker)
        #expect(router.route("a") == .v2)
        breaker.forceOpen()
        #expect((0..<1000).allSatisfy { router.route("key-\($0)") == .legacy })
        #expect(router.isCanary("a"))
        breaker.metricsOnly()
        #expect(router.route("a") == .v2)
        breaker.disable()
        #expect(router.route("a") == .v2)
    }

    @Test(arguments: [-1.0, 100.5, .nan])
    func canaryPercentOutsideRangeIsRejected(percent: Double) {
        #expect(throws: GateConfigurationError.self) { _ = try Router(canaryPercent: percent) }
    }
}
