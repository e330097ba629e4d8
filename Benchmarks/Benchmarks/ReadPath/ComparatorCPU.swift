// Comparator CPU: the CPU time one background comparison costs at saturation (issue 27 asks for <= 3 us on
// `user-profile`), and where it goes. The comparator's work is what `ShadowReader.run()` does with a full queue:
// `Comparator.compareBatch` of batches of 1,024 comparisons queued by the read path (each carrying the primary row the
// read returned, so that only the shadow row is read). Timed with the calling thread's CPU clock
// (CLOCK_THREAD_CPUTIME_ID), so that only this thread's work counts, not the wall time of other threads.
//
// The breakdown times each part of a comparison alone over the same batch:
// - `read other ns`: reading the other store's rows of the batch on the comparator's own connection, in one read
//   transaction (`RecordReader.read(_:from:)` with the batch's keys, as the comparator reads them);
// - `read 1-by-1 ns`: the same rows read one key at a time (one implicit transaction each: what a comparison cost
//   before reads were batched);
// - `diff ns`: decoding, projecting and diffing the two payloads (`DiffEngine.compare`);
// - `record ns`: recording the batch's outcomes in the gate, the breaker and the metrics (`ConsistencyGate.record`).
import Benchmark
import BenchmarkSupport
import Foundation
import Tandem

#if canImport(Glibc)
    import Glibc
#endif

/// CPU nanoseconds the calling thread has used.
func threadCPUNanos() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// CPU nanoseconds `body` took on the calling thread.
func cpuNanos(_ body: () throws -> Void) rethrows -> UInt64 {
    let start = threadCPUNanos()
    try body()
    return threadCPUNanos() - start
}

final class ComparatorFixture: @unchecked Sendable {  // Set up and torn down by one benchmark.
    let directory: String
    let engine: MigrationEngine
    let reader: any RecordReader
    /// Every key's comparison as the read path queues it in `live` (the primary row read, the shadow row to read).
    let pending: [Tandem.Comparator.Pending]
    var cursor = 0

    init() throws {
        (directory, engine) = try makeStoredEngine("comparator")
        reader = try engine.writer.backend.makeReader()
        // A fixed stride over the key space, as the read-path benchmark reads.
        var keys: [String] = []
        var index = 0
        for _ in 0..<recordCount {
            index = (index + 7_919) % recordCount
            keys.append("u\(index)")
        }
        let engine = engine
        pending = try keys.map { key in
            Tandem.Comparator.Pending(key: key, row: try engine.read(key, from: .primary), side: .primary)
        }
    }

    func nextBatch(_ count: Int) -> [Tandem.Comparator.Pending] {
        var batch: [Tandem.Comparator.Pending] = []
        batch.reserveCapacity(count)
        for _ in 0..<count {
            batch.append(pending[cursor])
            cursor = (cursor + 1) % pending.count
        }
        return batch
    }

    func close() {
        removeScratchDirectory(directory)
    }
}

func comparatorBenchmarks() {
    let batchSize = 1_024
    let perComparison = Ratio.value("cpu ns/comparison")
    let readOther = Ratio.value("read other ns")
    let readSingly = Ratio.value("read 1-by-1 ns")
    let diff = Ratio.value("diff ns")
    let record = Ratio.value("record ns")
    var fixture: ComparatorFixture?
    Benchmark(
        "Comparator: CPU per comparison at saturation, user-profile",
        configuration: .init(
            metrics: [perComparison, readOther, readSingly, diff, record], warmupIterations: 3,
            maxDuration: .seconds(20),
            maxIterations: 200)
    ) { benchmark in
        guard let fixture else { fatalError("fixture not set up") }
        let batch = fixture.nextBatch(batchSize)
        let comparator = fixture.engine.comparator
        let now = ContinuousClock.now
        var retries = 0
        let total = cpuNanos { retries = comparator.compareBatch(batch, now: now).count }
        precondition(retries == 0, "rows of one write must compare at once")
        let keys = batch.map(\.key)
        var others: [StoredRecord?] = []
        let reads = cpuNanos { others = try! fixture.reader.read(keys, from: .shadow) }
        var singly: [StoredRecord?] = []
        singly.reserveCapacity(batch.count)
        let singleReads = cpuNanos {
            for key in keys { singly.append(try! fixture.reader.read(key, from: .shadow)) }
        }
        precondition(singly == others, "batched and single reads must agree")
        let engine = fixture.engine.diffEngine
        var outcomes: [ComparisonOutcome] = []
        outcomes.reserveCapacity(batch.count)
        let diffs = cpuNanos {
            for (item, other) in zip(batch, others) {
                let comparison = engine.compare(shadowPayload: other?.payload, primaryPayload: item.row?.payload)
                outcomes.append(comparison?.diffs.isEmpty == true ? .match : .mismatch)
            }
        }
        precondition(outcomes.allSatisfy { $0 == .match }, "the fixture's pairs are equal")
        let recording = cpuNanos { fixture.engine.gate.record(outcomes) }
        let count = UInt64(batch.count)
        benchmark.measurement(perComparison, Int(total / count))
        benchmark.measurement(readOther, Int(reads / count))
        benchmark.measurement(readSingly, Int(singleReads / count))
        benchmark.measurement(diff, Int(diffs / count))
        benchmark.measurement(record, Int(recording / count))
    } setup: {
        fixture = try ComparatorFixture()
    } teardown: {
        fixture?.close()
        fixture = nil
    }
}
