// Stores: write throughput of the dual writer against a plain single-store write of the same payload with the
// same durability (WAL, synchronous=NORMAL, one transaction per write), with one writer and with 8 concurrent
// writers. DESIGN section 8: outbox >= 0.6x single-store with one writer, > 1.0x with 8 writers (group commit);
// outbox mode with inline shadow writes and atomic mode are measured and reported too, and so is outbox mode against
// a single store that checkpoints on a background thread as the dual writer does (the baseline of the targets is
// plain SQLite, checkpointing in the committing writer). A dual-write block ends when the shadow holds every write
// of it (deferred shadow writes included).
//
// Each iteration writes a block through each store in turn (same process, same disk, interleaved), and records
// the throughput ratios in percent. Keys rotate over 10,000 names, so after the first pass every write is an
// update of an existing row, for every store alike. Blocks are 2,000 writes, so that every block spans WAL
// checkpoints (one per 1,000 pages) rather than some blocks catching one and others none; atomic mode, which
// syncs every commit, writes a tenth of that, and its ratio is taken per write.
import Benchmark
import BenchmarkSupport
import Dispatch
import Foundation
import Tandem

let primaryPayload = UserProfilePayloads.primary
let shadowPayload = UserProfilePayloads.shadow

let keySpace = 10_000

/// The three stores under test, in one scratch directory.
final class StoreSet: @unchecked Sendable {  // Used by one benchmark at a time; the stores themselves are Sendable.
    let directory: String
    var single: SQLiteStore?
    var singleBackground: SQLiteStore?
    var outbox: DualWriter?
    var inline: DualWriter?
    var atomic: DualWriter?
    var counter = 0

    init(_ label: String) throws {
        directory = makeScratchDirectory(label)
        // SQLiteStore's defaults are WAL + synchronous=NORMAL; the dual writers are not durable either (NORMAL).
        single = try SQLiteStore(path: directory + "/single.sqlite", configuration: .init(durable: false, wal: true))
        // The same single store with the dual writer's background checkpoints, to show what they alone are worth.
        singleBackground = try SQLiteStore(
            path: directory + "/single-bg.sqlite",
            configuration: .init(durable: false, wal: true, backgroundCheckpoints: true))
        outbox = try DualWriter(
            primaryPath: directory + "/outbox-primary.sqlite", shadowPath: directory + "/outbox-shadow.sqlite",
            configuration: .init(mode: .outbox, durable: false))
        inline = try DualWriter(
            primaryPath: directory + "/inline-primary.sqlite", shadowPath: directory + "/inline-shadow.sqlite",
            configuration: .init(mode: .outbox, durable: false, shadowWrites: .inline))
        atomic = try DualWriter(
            primaryPath: directory + "/atomic-primary.sqlite", shadowPath: directory + "/atomic-shadow.sqlite",
            configuration: .init(mode: .atomic, durable: false))
    }

    func close() {
        single = nil
        singleBackground = nil
        outbox = nil
        inline = nil
        atomic = nil
        removeScratchDirectory(directory)
    }

    /// The next `count` keys.
    func keys(_ count: Int) -> [String] {
        defer { counter += count }
        return (counter..<counter + count).map { "u\($0 % keySpace)" }
    }
}

/// Runs `body(writer)` on `writers` threads at once (real threads: the single store blocks its caller).
func onThreads(_ writers: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for writer in 0..<writers {
        group.enter()
        let thread = Thread {
            body(writer)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

func singleStore(_ store: SQLiteStore, _ keys: [String], writers: Int) {
    if writers == 1 {
        for key in keys { _ = try! store.put(key: key, payload: primaryPayload) }
        return
    }
    let share = keys.count / writers
    onThreads(writers) { writer in
        for key in keys[writer * share..<(writer + 1) * share] { _ = try! store.put(key: key, payload: primaryPayload) }
    }
}

/// Writes `keys` through `writer` from `writers` tasks, and returns once the shadow holds every one of them (with
/// deferred shadow writes, the relay's queue is part of the block's time).
func dualWrite(_ writer: DualWriter, _ keys: [String], writers: Int) async {
    let share = keys.count / writers
    await withTaskGroup(of: Void.self) { group in
        for index in 0..<writers {
            group.addTask {
                for key in keys[index * share..<(index + 1) * share] {
                    _ = try! await writer.write(key: key, primary: primaryPayload, shadow: shadowPayload)
                }
            }
        }
    }
    writer.waitForShadowWrites()
}

func opsPerSecond(_ ops: Int, _ nanos: UInt64) -> Int { Int(Double(ops) / (Double(nanos) / 1e9)) }

let benchmarks: @Sendable () -> Void = {
    for writers in [1, 8] {
        let block = 2_000  // writes per store per iteration (a multiple of 8)
        let atomicBlock = 200  // atomic mode syncs every commit: a tenth of the block, compared per write
        let outboxRatio = Ratio.speed("outbox/single %")
        let inlineRatio = Ratio.speed("outbox inline/single %")
        let backgroundRatio = Ratio.speed("outbox/single bg-ckpt %")
        let atomicRatio = Ratio.speed("atomic/single %")
        let singleOps = Ratio.value("single writes/s", prefersLarger: true)
        let outboxOps = Ratio.value("outbox writes/s", prefersLarger: true)
        let inlineOps = Ratio.value("outbox inline writes/s", prefersLarger: true)
        let atomicOps = Ratio.value("atomic writes/s", prefersLarger: true)
        let metrics = [
            outboxRatio, inlineRatio, backgroundRatio, atomicRatio, singleOps, outboxOps, inlineOps, atomicOps,
        ]
        var set: StoreSet?
        Benchmark(
            "Stores ratio: dual-write vs single-store put, \(writers) writer\(writers == 1 ? "" : "s")",
            configuration: .init(
                metrics: metrics, warmupIterations: 2,
                maxDuration: .seconds(30), maxIterations: 40)
        ) { benchmark in
            guard let stores = set, let single = stores.single, let singleBackground = stores.singleBackground,
                let outbox = stores.outbox, let inline = stores.inline, let atomic = stores.atomic
            else { fatalError("stores not open") }
            let keys = stores.keys(block)
            let singleNs = nanos { singleStore(single, keys, writers: writers) }
            let singleBackgroundNs = nanos { singleStore(singleBackground, keys, writers: writers) }
            let outboxNs = await asyncNanos { await dualWrite(outbox, keys, writers: writers) }
            let inlineNs = await asyncNanos { await dualWrite(inline, keys, writers: writers) }
            let atomicKeys = Array(keys.prefix(atomicBlock))
            let atomicNs = await asyncNanos { await dualWrite(atomic, atomicKeys, writers: writers) }
            benchmark.measurement(outboxRatio, Ratio.percent(singleNs, of: outboxNs))
            benchmark.measurement(inlineRatio, Ratio.percent(singleNs, of: inlineNs))
            benchmark.measurement(backgroundRatio, Ratio.percent(singleBackgroundNs, of: outboxNs))
            benchmark.measurement(inlineOps, opsPerSecond(block, inlineNs))
            // Per write: the atomic block is a tenth of the single-store block.
            benchmark.measurement(
                atomicRatio, Ratio.percent(singleNs * UInt64(atomicBlock), of: atomicNs * UInt64(block)))
            benchmark.measurement(singleOps, opsPerSecond(block, singleNs))
            benchmark.measurement(outboxOps, opsPerSecond(block, outboxNs))
            benchmark.measurement(atomicOps, opsPerSecond(atomicBlock, atomicNs))
        } setup: {
            set = try StoreSet("stores-\(writers)")
        } teardown: {
            set?.close()
            set = nil
        }
    }
    backfillBenchmarks()
    postgresBenchmarks()
}
