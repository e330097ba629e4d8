import Foundation
import Testing

@testable import Tandem

/// The background comparator's CPU budget: the meter's arithmetic on simulated clocks, the plan's spelling, and the
/// read path with budgets of nothing, everything and a little.
@Suite("Comparison budget")
struct ComparisonBudgetTests {
    // MARK: - Spelling

    @Test(arguments: [
        ("5%", ComparisonBudget.processShare(0.05)), ("0.25", .cores(0.25)), ("unlimited", .unlimited),
        ("0", .cores(0)), ("0%", .processShare(0)), ("1.5", .cores(1.5)), (" 100% ", .processShare(1)),
    ])
    func theBudgetParsesItsPlanSpelling(_ text: String, _ budget: ComparisonBudget) {
        #expect(ComparisonBudget(parsing: text) == budget)
        #expect(ComparisonBudget(parsing: budget.description) == budget)
    }

    @Test func theBudgetIsShownAsThePlanSpellsIt() {
        #expect(ComparisonBudget.default.description == "5%")
        #expect(ComparisonBudget.processShare(0.025).description == "2.5%")
        #expect(ComparisonBudget.cores(0).description == "0")
        #expect(ComparisonBudget.cores(0.25).description == "0.25")
        #expect(ComparisonBudget.unlimited.description == "unlimited")
    }

    @Test(arguments: ["", "lots", "-0.1", "101%", "five%", "nan", "inf"])
    func anythingElseIsNotABudget(_ text: String) {
        #expect(ComparisonBudget(parsing: text) == nil)
    }

    @Test func thePlanCarriesItsBudgetAndNoneWhenItSetsNone() throws {
        let header = """
            v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
            v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
            whitelist:
              - field: id

            """
        let withBudget = try MigrationPlan.load(
            directory: try PlanTestSupport.planDirectory(yaml: header + "comparison_budget: 2.5%\n"))
        #expect(withBudget.comparisonBudget == .processShare(0.025))
        let without = try MigrationPlan.load(directory: try PlanTestSupport.planDirectory(yaml: header))
        #expect(without.comparisonBudget == nil)
    }

    // MARK: - The meter on simulated clocks

    /// Runs a comparator that always has `offered` comparisons queued, each costing `cost` ns of CPU, for `seconds`
    /// simulated seconds in steps of 1 ms, while the rest of the process spends `serviceCPU` ns of CPU per ms. Returns
    /// the CPU the comparisons were charged and how many were made.
    private func simulate(
        _ budget: ComparisonBudget, seconds: Int, offered: Int = 500, cost: UInt64 = 10_000, serviceCPU: UInt64 = 0
    ) -> (cpu: UInt64, compared: Int) {
        var meter = ComparisonBudgetMeter(budget: budget, wall: 0, processCPU: 0, processCores: 2, seed: 7)
        var wall: UInt64 = 0
        var process: UInt64 = 0
        var cpu: UInt64 = 0
        var compared = 0
        for _ in 0..<(seconds * 1_000) {
            wall += 1_000_000
            process += serviceCPU
            meter.refill(wall: wall, processCPU: process)
            let admitted = meter.admissible(offered)
            #expect(admitted >= 0 && admitted <= offered)
            let spent = UInt64(admitted) * cost
            meter.charge(cpu: spent, comparisons: admitted)
            cpu += spent
            process += spent
            compared += admitted
        }
        return (cpu, compared)
    }

    @Test func aCoresBudgetSpendsItsFractionOfWallTimeAndNoMore() {
        // 0.2 of a core for 10 s is 2 s of CPU; the burst adds at most 0.2 x 100 ms, plus one comparison of rounding.
        let run = simulate(.cores(0.2), seconds: 10)
        let budget = 0.2 * 10e9
        #expect(Double(run.cpu) <= budget + 0.2 * ComparisonBudgetMeter.burstWindow + 10_000 * 2)
        #expect(Double(run.cpu) >= budget * 0.98, "the budget was left unspent: \(run.cpu) ns")
    }

    @Test func aProcessShareBudgetSpendsItsShareOfTheProcessCPU() {
        // The service spends 0.5 ms of CPU per ms; the comparator may take 10% of the process's CPU (its own included),
        // that is 1/9 of the service's: about 55.6 us per ms.
        let run = simulate(.processShare(0.1), seconds: 10, serviceCPU: 500_000)
        let serviceCPU = 500_000.0 * 10_000
        let allowed = serviceCPU / 9
        #expect(Double(run.cpu) <= allowed * 1.02 + 0.1 * 2 * ComparisonBudgetMeter.burstWindow)
        #expect(Double(run.cpu) >= allowed * 0.95, "the budget was left unspent: \(run.cpu) ns of \(allowed)")
    }

    @Test func aProcessShareBudgetFollowsTheServiceLoad() {
        let quiet = simulate(.processShare(0.05), seconds: 5, serviceCPU: 50_000)
        let busy = simulate(.processShare(0.05), seconds: 5, serviceCPU: 900_000)
        #expect(busy.compared > quiet.compared * 10)
    }

    @Test func aZeroBudgetAdmitsNothingAndAnUnlimitedOneEverything() {
        #expect(simulate(.cores(0), seconds: 2).compared == 0)
        #expect(simulate(.processShare(0), seconds: 2, serviceCPU: 900_000).compared == 0)
        #expect(simulate(.unlimited, seconds: 2).compared == 500 * 2_000)
    }

    @Test func theMeterLearnsWhatAComparisonCosts() {
        var meter = ComparisonBudgetMeter(budget: .cores(1), wall: 0, processCPU: 0, processCores: 2, seed: 1)
        for _ in 0..<100 { meter.charge(cpu: 1_000 * 2_000, comparisons: 1_000) }
        #expect(abs(meter.costPerComparison - 2_000) < 1)
        // The credit is now far below zero: nothing is admitted until the budget has earned it back.
        #expect(meter.admissible(10) == 0)
        meter.refill(wall: 10_000_000_000, processCPU: 0)
        #expect(meter.credit == meter.capacity)
        #expect(meter.admissible(1_000_000) == Int((meter.capacity / meter.costPerComparison).rounded(.up)))
    }

    @Test func theChosenComparisonsAreAUniformSampleInQueueOrder() {
        var meter = ComparisonBudgetMeter(budget: .cores(1), wall: 0, processCPU: 0, processCores: 2, seed: 42)
        let items = Array(0..<100)
        var counts = [Int](repeating: 0, count: items.count)
        let rounds = 20_000
        for _ in 0..<rounds {
            let chosen = meter.choose(10, of: items)
            #expect(chosen.count == 10)
            #expect(chosen == chosen.sorted())
            for item in chosen { counts[item] += 1 }
        }
        // Each item is chosen with probability 0.1: 2,000 times, standard deviation ~42; 6 deviations apart.
        for (item, count) in counts.enumerated() {
            #expect(abs(count - rounds / 10) < 260, "item \(item) chosen \(count) times")
        }
        #expect(meter.choose(200, of: items) == items)
        #expect(meter.choose(0, of: items).isEmpty)
    }

    // MARK: - The read path

    private func readAll(
        _ fixture: EngineTests.Fixture, budget: ComparisonBudget, keys: Int, mismatching: Bool = false
    ) async throws -> ShadowReader {
        try fixture.engine.apply(
            (0..<keys).map { i in
                try fixture.engine.prepareWrite(
                    key: "k\(i)", v2: try fixture.v2("k\(i)", name: "N\(i)"),
                    legacyV1: mismatching ? try fixture.v1("k\(i)", name: "other") : nil)
            })
        let reader = ShadowReader(
            engine: fixture.engine, stage: .shadow, configuration: .init(comparisonBudget: budget))
        let task = Task { await reader.run() }
        for i in 0..<keys { _ = try reader.read("k\(i)") }
        reader.shutdown()
        await task.value
        return reader
    }

    @Test func aZeroBudgetQueuesNothingAndComparesNothing() async throws {
        let fixture = try EngineTests.Fixture()
        let reader = try await readAll(fixture, budget: .cores(0), keys: 40)
        #expect(reader.comparisonBudget == .cores(0))
        let gate = fixture.engine.gate.totals
        #expect(gate.compared == 0 && gate.shed == 0 && gate.inFlight == 0)
        #expect(fixture.engine.sampling.budgetOffered == 40)
        #expect(fixture.engine.sampling.budgetSkipped == 40)
        #expect(fixture.engine.effectiveSampleRate == 0)
        let report = fixture.engine.report(source: "test", startedAt: Date(), timeline: [])
        #expect(report.sampling == Report.Sampling(rate: 1, budgetOffered: 40, budgetSkipped: 40))
        #expect(report.effectiveSampleRate == 0)
    }

    @Test func anUnlimitedBudgetComparesEveryQueuedKey() async throws {
        let fixture = try EngineTests.Fixture()
        _ = try await readAll(fixture, budget: .unlimited, keys: 300)
        #expect(fixture.engine.gate.totals.compared == 300)
        #expect(fixture.engine.sampling.budgetOffered == 300)
        #expect(fixture.engine.sampling.budgetSkipped == 0)
        #expect(fixture.engine.effectiveSampleRate == 1)
    }

    @Test func aSmallBudgetSkipsSomeComparisonsAndCountsThemApartFromSheds() async throws {
        let fixture = try EngineTests.Fixture()
        // A hundred-thousandth of a core: a burst of 1 us, then 10 us of CPU a second, far less than 300 comparisons.
        _ = try await readAll(fixture, budget: .cores(0.000_01), keys: 300, mismatching: true)
        let gate = fixture.engine.gate.totals
        let sampling = fixture.engine.sampling
        #expect(gate.compared >= 1, "the burst pays for at least one comparison")
        #expect(sampling.budgetSkipped > 0)
        #expect(gate.shed == 0, "budget skips are not queue sheds")
        #expect(sampling.budgetOffered == 300)
        #expect(gate.compared + sampling.budgetSkipped == 300)
        // What is compared is still compared for real: every pair here differs.
        #expect(gate.mismatched == gate.compared)
        let rate = fixture.engine.effectiveSampleRate
        #expect(rate == Double(gate.compared) / 300)
        #expect(fixture.engine.report(source: "test", startedAt: Date(), timeline: []).effectiveSampleRate == rate)
    }

    @Test func theEffectiveRateCountsBudgetSkipsAndQueueShedsAsNotCompared() {
        #expect(Report.Sampling(rate: 0.5).effectiveRate(shed: 0) == 0.5)
        #expect(Report.Sampling(rate: 1, budgetOffered: 80, budgetSkipped: 20).effectiveRate(shed: 20) == 0.6)
        #expect(Report.Sampling(rate: 0.5, budgetOffered: 0, budgetSkipped: 0).effectiveRate(shed: 10) == 0)
    }

    @Test func theConfigurationOverridesThePlanAndTheDefaultAppliesWhenNeitherSetsOne() throws {
        let fixture = try EngineTests.Fixture()
        #expect(ShadowReader(engine: fixture.engine).comparisonBudget == .default)
        #expect(
            ShadowReader(engine: fixture.engine, configuration: .init(comparisonBudget: .cores(0.5))).comparisonBudget
                == .cores(0.5))
    }
}
