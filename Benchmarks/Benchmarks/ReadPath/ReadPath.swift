// ReadPath: latency of `ShadowReader.read(_:)` with comparisons off (stage dualwrite: the same authoritative
// store answers, nothing is queued) and on (stage shadow, the plan's sample_rate 1.0: every read queues a
// comparison that a background `run()` task drains). DESIGN section 8: async shadow reads add <= 15% to p99.
//
// Each iteration reads a block of keys with comparisons off, then the same number with comparisons on while the
// background task drains, then waits for the queue to empty so that the next "off" block runs on a quiet
// engine. Every read is timed; the per-read latencies go into the "read off ns" / "read on ns" metrics (their
// p50/p99 columns are over all reads), and each iteration records its own p99 and p50 ratios. The comparator runs
// with the default CPU budget (5% of the process's CPU): back to back, the reads keep a core busy and the budget
// skips most comparisons ("budget skipped per block"); paced, it skips few or none.
import Benchmark
import BenchmarkSupport
import Foundation
import Tandem

let primaryPayload = UserProfilePayloads.primary
let recordCount = 10_000

/// A scratch directory with `user-profile` stores holding `recordCount` records (keys `u0`...), written through a
/// fresh engine, once the shadow holds them and the background checkpoint of those writes has finished (so that its
/// copying and syncs do not fall into the first timed blocks).
func makeStoredEngine(_ label: String) throws -> (directory: String, engine: MigrationEngine) {
    let plan = try MigrationPlan.load(directory: Repository.path("Migrations/user-profile"))
    let directory = makeScratchDirectory(label)
    let engine = try MigrationEngine(
        plan: plan, primaryPath: directory + "/primary.sqlite", shadowPath: directory + "/shadow.sqlite")
    var ops: [DualWriteOp] = []
    for index in 0..<recordCount {
        ops.append(try engine.prepareWrite(key: "u\(index)", v2: primaryPayload))
    }
    _ = try engine.apply(ops)
    engine.writer.waitForShadowWrites()
    Thread.sleep(forTimeInterval: 0.5)
    return (directory, engine)
}

final class ReadPathFixture: @unchecked Sendable {  // Set up and torn down by one benchmark; the readers are Sendable.
    let directory: String
    let engine: MigrationEngine
    let off: ShadowReader
    let on: ShadowReader
    let drain: Task<Void, Never>
    var queued = 0
    var keyCursor = 0

    init() throws {
        (directory, engine) = try makeStoredEngine("readpath")
        precondition(engine.plan.sampleRate == 1.0, "the user-profile plan is expected to sample every read")
        off = ShadowReader(engine: engine, stage: .dualwrite)
        on = ShadowReader(engine: engine, stage: .shadow)
        let reader = on
        drain = Task.detached { await reader.run() }
    }

    func nextKeys(_ count: Int) -> [String] {
        // A fixed stride over the key space: every read hits a stored row, in no cache-friendly order.
        (0..<count).map { _ in
            keyCursor = (keyCursor + 7_919) % recordCount
            return "u\(keyCursor)"
        }
    }

    /// Waits until the background task has compared (or shed, or skipped by its CPU budget) every queued key.
    func waitForDrain() {
        let deadline = nowNanos() + 30_000_000_000
        while nowNanos() < deadline {
            let totals = engine.gate.totals
            let skipped = engine.sampling.budgetSkipped
            if totals.compared + totals.shed + totals.inFlight + skipped >= queued { return }
            usleep(500)
        }
        fatalError("comparisons did not drain in 30 s")
    }

    func close() async {
        on.shutdown()
        off.shutdown()
        await drain.value
        removeScratchDirectory(directory)
    }
}

/// Reads `keys` through `reader`, one every `pace` nanoseconds (0: back to back), and returns each read's latency.
func timedReads(_ reader: ShadowReader, _ keys: [String], pace: UInt64) -> [UInt64] {
    var latencies: [UInt64] = []
    latencies.reserveCapacity(keys.count)
    var next = nowNanos()
    for key in keys {
        if pace > 0 {
            // Spin until this read's slot: the reader's own core waits, the drain task keeps the other one.
            while nowNanos() < next {}
            next += pace
        }
        let start = nowNanos()
        blackHole(try! reader.read(key))
        latencies.append(nowNanos() - start)
    }
    return latencies
}

let benchmarks: @Sendable () -> Void = {
    comparatorBenchmarks()
    // Back to back (the read path saturated: every read queues a comparison while the previous ones are still
    // being compared), and paced at 20,000 reads/s (one read every 50 us, a busy service instance).
    for (label, pace) in [("back to back", UInt64(0)), ("paced 20k reads/s", UInt64(50_000))] {
        let block = 2_000
        let offNs = Ratio.value("read off ns")
        let onNs = Ratio.value("read on ns")
        let p99Ratio = Ratio.cost("p99 on/off %")
        let p50Ratio = Ratio.cost("p50 on/off %")
        let shed = Ratio.value("shed per block")
        let skipped = Ratio.value("budget skipped per block")
        var fixture: ReadPathFixture?
        Benchmark(
            "ReadPath: ShadowReader.read, comparisons off vs on, \(label)",
            configuration: .init(
                metrics: [p99Ratio, p50Ratio, offNs, onNs, shed, skipped], warmupIterations: 2,
                maxDuration: .seconds(20),
                maxIterations: 50)
        ) { benchmark in
            guard let fixture else { fatalError("fixture not set up") }
            var off = timedReads(fixture.off, fixture.nextKeys(block), pace: pace)
            let shedBefore = fixture.engine.gate.totals.shed
            let skippedBefore = fixture.engine.sampling.budgetSkipped
            var on = timedReads(fixture.on, fixture.nextKeys(block), pace: pace)
            fixture.queued += block
            fixture.waitForDrain()
            for value in off { benchmark.measurement(offNs, Int(value)) }
            for value in on { benchmark.measurement(onNs, Int(value)) }
            let p99Off = percentile(&off, 0.99)
            let p99On = percentile(&on, 0.99)
            let p50Off = percentile(&off, 0.50)
            let p50On = percentile(&on, 0.50)
            benchmark.measurement(p99Ratio, Ratio.percent(p99On, of: p99Off))
            benchmark.measurement(p50Ratio, Ratio.percent(p50On, of: p50Off))
            benchmark.measurement(shed, fixture.engine.gate.totals.shed - shedBefore)
            benchmark.measurement(skipped, fixture.engine.sampling.budgetSkipped - skippedBefore)
        } setup: {
            fixture = try ReadPathFixture()
        } teardown: {
            await fixture?.close()
            fixture = nil
        }
    }
}
