// Backfill: throughput of `Backfiller` against replaying the same records as writes through the engine (DESIGN 11
// asks for backfill >= 0.5x of that). Each iteration builds fresh stores of the user-profile plan:
// - baseline: `MigrationEngine.prepareWrite` + `apply` of `records` writes in batches of 512 (what replay does with
//   a traffic file, without reading one), ending once the shadow holds every write;
// - v2-to-v1: the same records already in the primary only; the backfiller projects, checks and writes the shadow;
// - v1-to-v2: the legacy v1 records in the shadow only; the backfiller inverts, checks and writes the primary.
// Seeding the one-sided stores is not timed.
import Benchmark
import BenchmarkSupport
import Foundation
import Tandem

/// One iteration's stores: a directory with a pair of stores per run.
private func freshEngine(_ directory: String, _ name: String, plan: MigrationPlan) throws -> MigrationEngine {
    try MigrationEngine(
        plan: plan, primaryPath: directory + "/\(name)-primary.sqlite",
        shadowPath: directory + "/\(name)-shadow.sqlite",
        configuration: .init(writer: .init(mode: .outbox, durable: false, exclusive: false)))
}

private func seed(_ engine: MigrationEngine, side: DualWriter.Side, keys: [String], payload: [UInt8]) throws {
    for start in stride(from: 0, to: keys.count, by: 1_000) {
        let writes = keys[start..<min(start + 1_000, keys.count)].map {
            ConditionalWrite(
                side: side, record: StoredRecord(key: $0, payload: payload, seq: 1, writtenAt: 0), condition: .absent)
        }
        _ = try engine.writer.backend.conditionalWrite(writes)
    }
}

func backfillBenchmarks() {
    let records = 5_000
    let downRatio = Ratio.speed("backfill v2-to-v1/replay writes %")
    let upRatio = Ratio.speed("backfill v1-to-v2/replay writes %")
    let replayOps = Ratio.value("replay writes records/s", prefersLarger: true)
    let downOps = Ratio.value("backfill v2-to-v1 records/s", prefersLarger: true)
    let upOps = Ratio.value("backfill v1-to-v2 records/s", prefersLarger: true)
    var plan: MigrationPlan?
    Benchmark(
        "Backfill ratio: backfill vs replaying the same records as writes",
        configuration: .init(
            metrics: [downRatio, upRatio, replayOps, downOps, upOps], warmupIterations: 1,
            maxDuration: .seconds(40), maxIterations: 12)
    ) { benchmark in
        guard let plan else { fatalError("plan not loaded") }
        let directory = makeScratchDirectory("backfill")
        defer { removeScratchDirectory(directory) }
        let keys = (0..<records).map { "u" + String(format: "%07d", $0) }

        let replay = try freshEngine(directory, "replay", plan: plan)
        let replayNs = try nanos {
            for start in stride(from: 0, to: keys.count, by: 512) {
                let ops = try keys[start..<min(start + 512, keys.count)].map {
                    try replay.prepareWrite(key: $0, v2: UserProfilePayloads.primary)
                }
                try replay.apply(ops)
            }
            replay.writer.waitForShadowWrites()
        }

        let down = try freshEngine(directory, "down", plan: plan)
        try seed(down, side: .primary, keys: keys, payload: UserProfilePayloads.primary)
        let downFiller = try Backfiller(engine: down, configuration: .init(direction: .v2ToV1))
        let downNs = try nanos { try downFiller.run() }
        precondition(downFiller.job.written == records, "v2-to-v1 wrote \(downFiller.job.written)")

        let up = try freshEngine(directory, "up", plan: plan)
        try seed(up, side: .shadow, keys: keys, payload: UserProfilePayloads.shadow)
        let upFiller = try Backfiller(engine: up, configuration: .init(direction: .v1ToV2))
        let upNs = try nanos { try upFiller.run() }
        precondition(upFiller.job.written == records, "v1-to-v2 wrote \(upFiller.job.written)")

        benchmark.measurement(downRatio, Ratio.percent(replayNs, of: downNs))
        benchmark.measurement(upRatio, Ratio.percent(replayNs, of: upNs))
        benchmark.measurement(replayOps, opsPerSecond(records, replayNs))
        benchmark.measurement(downOps, opsPerSecond(records, downNs))
        benchmark.measurement(upOps, opsPerSecond(records, upNs))
    } setup: {
        plan = try MigrationPlan.load(directory: Repository.path("Migrations/user-profile"))
    }
}
