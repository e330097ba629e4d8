import Foundation
import Logging
import Synchronization

/// Owns the compare path of a migration: reading a key's two rows, the in-flight policy, the diff, and recording the
/// outcome into the gate (and through it the breaker), the mismatch groups, the samples and the metrics.
///
/// Rows that carry different writes (`seq` differs, or a row in one store only) may be a write between its two
/// stores; they are never counted as a mismatch at first sight. The writer's queued shadow writes are written first
/// and the rows read again; rows still stamped with different `seq` are read once more after
/// ``MigrationEngine/Configuration/inFlightRetryDelay`` and count as `in_flight` if they still differ. Synchronous
/// callers (replay, `diff`) wait that delay; the background comparator (``compareBatch(_:now:)``) never waits: it
/// hands such keys back to be retried once their deadline has passed, and compares the rest meanwhile.
public final class Comparator: Sendable {
    /// A comparison waiting to run: the key, and when the read path has just read one of its rows, that row and its
    /// store (so that only the other store is read).
    public struct Pending: Sendable {
        /// The record key.
        public var key: String
        /// The row the read path read (`nil`: it found none); only meaningful with ``side``.
        public var row: StoredRecord?
        /// The store ``row`` was read from; `nil` when nothing was read (both rows are read).
        public var side: DualWriter.Side?
        /// The cohort the comparison counts in, if any.
        public var cohort: String?
        /// Set when the rows carried different writes: the comparison runs again once this has passed, and counts as
        /// `in_flight` if they still do.
        public var retryAt: ContinuousClock.Instant?

        /// Creates a pending comparison.
        public init(
            key: String, row: StoredRecord? = nil, side: DualWriter.Side? = nil, cohort: String? = nil,
            retryAt: ContinuousClock.Instant? = nil
        ) {
            self.key = key
            self.row = row
            self.side = side
            self.cohort = cohort
            self.retryAt = retryAt
        }
    }

    /// What the comparisons found besides the gate's counts.
    struct Findings {
        var unknownFields = 0
        var cohorts: [String: RunTotals.Cohort] = [:]
        var aggregator: MismatchAggregator
        var samples: [KeyComparison] = []
        var sampledKeys: Set<String> = []
        /// A mismatching key was not sampled because the sample was full.
        var samplesTruncated = false
    }

    /// The stores' writer (its queued shadow writes are written before rows of different writes are judged).
    let writer: DualWriter
    /// Read connections of the comparator's own.
    let reader: any RecordReader
    /// The gate every outcome feeds.
    let gate: ConsistencyGate
    /// The diff engine (projection included).
    let diffEngine: DiffEngine
    /// Replaces redacted values in everything kept or reported.
    let redactor: Redactor
    private let configuration: MigrationEngine.Configuration
    private let findings: Mutex<Findings>
    private let metrics = EngineMetrics()
    /// Queued comparisons that reached the CPU budget, and those it skipped.
    private let budgetOffered = Atomic<Int>(0)
    private let budgetSkipped = Atomic<Int>(0)

    init(
        writer: DualWriter, reader: any RecordReader, gate: ConsistencyGate, diffEngine: DiffEngine,
        redactor: Redactor, configuration: MigrationEngine.Configuration
    ) {
        self.writer = writer
        self.reader = reader
        self.gate = gate
        self.diffEngine = diffEngine
        self.redactor = redactor
        self.configuration = configuration
        findings = Mutex(
            Findings(
                aggregator: MismatchAggregator(redactor: redactor, maxSamplesPerGroup: configuration.samplesPerGroup)))
    }

    // MARK: - Synchronous comparisons

    /// Reads both rows of `key`, compares them, and records the outcome; `nil` when neither store has the key (not a
    /// comparison: nothing is counted).
    public func compare(key: String, cohort: String? = nil) throws(EngineError) -> KeyComparison? {
        var pair = try readPair(key)
        if !pair.sameWrite {
            // This writer's own shadow write may still be queued (deferred shadow writes): let it land first.
            writer.waitForShadowWrites()
            pair = try readPair(key)
        }
        if let p = pair.primary, let s = pair.shadow, p.seq != s.seq {
            Thread.sleep(forTimeInterval: configuration.inFlightRetryDelay.seconds)
            pair = try readPair(key)
        }
        return record(pair: pair, cohort: cohort)
    }

    /// Compares `key` given its row in `side` as the caller just read it (`nil`: no row), reading only the other
    /// store's row when both carry the same write; otherwise as ``compare(key:cohort:)``.
    public func compare(key: String, row: StoredRecord?, from side: DualWriter.Side, cohort: String? = nil)
        throws(EngineError) -> KeyComparison?
    {
        if let pair = try pairFromRow(key: key, row: row, side: side) { return record(pair: pair, cohort: cohort) }
        return try compare(key: key, cohort: cohort)
    }

    /// Compares an already-read pair of rows and records the outcome (verify streams pairs through it).
    public func record(pair: RecordPair, cohort: String? = nil) -> KeyComparison? {
        var scratch = Transcoder.Scratch()
        guard let result = evaluate(pair: pair, cohort: cohort, scratch: &scratch) else { return nil }
        gate.record(result.outcome)
        metrics.record(result.outcome)
        return result
    }

    /// Compares a page of already-read pairs and records their outcomes at once (one pass through the gate's and the
    /// breaker's locks for the page). Returns how many pairs were comparisons (pairs absent from both stores are not).
    @discardableResult
    public func record(pairs: [RecordPair]) -> Int {
        record(judged: judge(page: pairs))
    }

    /// Diffs a page of already-read pairs without keeping or recording anything: any thread may judge pages at once.
    /// Hand the result to ``record(judged:)``, pages in the order they were read.
    func judge(page: [RecordPair]) -> [KeyComparison?] {
        var scratch = Transcoder.Scratch()
        return page.map { judge(pair: $0, scratch: &scratch) }
    }

    /// Keeps what a judged page's comparisons found and records their outcomes at once; returns how many pairs were
    /// comparisons.
    @discardableResult
    func record(judged: [KeyComparison?]) -> Int {
        var outcomes: [ComparisonOutcome] = []
        outcomes.reserveCapacity(judged.count)
        for result in judged {
            guard let result else { continue }
            keep(result, cohort: nil)
            outcomes.append(result.outcome)
        }
        recordOutcomes(outcomes)
        return outcomes.count
    }

    // MARK: - Background comparisons

    /// Compares a batch of queued comparisons and records their outcomes at once. Returns the comparisons whose rows
    /// carried different writes, with their retry deadline set: call again with them once it has passed (they count as
    /// `in_flight` then if the rows still differ). Never sleeps. Failures to read are logged and skipped.
    public func compareBatch(_ batch: [Pending], now: ContinuousClock.Instant) -> [Pending] {
        var outcomes: [ComparisonOutcome] = []
        outcomes.reserveCapacity(batch.count)
        var unsettled: [Pending] = []
        var retries: [Pending] = []
        let others = otherRows(of: batch)
        var scratch = Transcoder.Scratch()
        for (index, item) in batch.enumerated() {
            do throws(EngineError) {
                let pair: RecordPair?
                if case .some(let other) = others[index], let row = item.row, let side = item.side {
                    pair = Self.pair(key: item.key, row: row, side: side, other: other)
                } else if item.retryAt == nil, let side = item.side {
                    pair = try pairFromRow(key: item.key, row: item.row, side: side)
                } else {
                    pair = nil
                }
                if let pair {
                    if let result = evaluate(pair: pair, cohort: item.cohort, scratch: &scratch) {
                        outcomes.append(result.outcome)
                    }
                } else {
                    unsettled.append(item)
                }
            } catch {
                logFailure(item.key, error)
            }
        }
        if unsettled.contains(where: { $0.retryAt == nil }) {
            // This writer's own shadow writes may still be queued: let them land, once for the whole batch.
            writer.waitForShadowWrites()
        }
        for var item in unsettled {
            do throws(EngineError) {
                let pair = try readPair(item.key)
                if item.retryAt == nil, let p = pair.primary, let s = pair.shadow, p.seq != s.seq {
                    item.retryAt = now + configuration.inFlightRetryDelay
                    retries.append(item)
                    continue
                }
                if let result = evaluate(pair: pair, cohort: item.cohort, scratch: &scratch) {
                    outcomes.append(result.outcome)
                }
            } catch {
                logFailure(item.key, error)
            }
        }
        recordOutcomes(outcomes)
        return retries
    }

    // MARK: - Findings

    /// Unknown fields seen in compared payloads so far.
    var unknownFields: Int { findings.withLock { $0.unknownFields } }
    /// Comparisons by cohort so far.
    var cohorts: [String: RunTotals.Cohort] { findings.withLock { $0.cohorts } }
    /// The mismatch groups so far, most frequent first.
    var mismatchGroups: [MismatchGroup] { findings.withLock { $0.aggregator.groups } }
    /// The sampled mismatching keys with their diffs, in the order they were seen.
    var mismatchSamples: [KeyComparison] { findings.withLock { $0.samples } }
    /// Whether a mismatching key was left out of ``mismatchSamples`` because it was full.
    var mismatchSamplesTruncated: Bool { findings.withLock { $0.samplesTruncated } }

    /// Queued comparisons that reached the background comparator's CPU budget (``ComparisonBudget``), and how many of
    /// them it skipped.
    var budget: (offered: Int, skipped: Int) {
        // Skipped first: a count read between the two increments never shows more skipped than offered.
        let skipped = budgetSkipped.load(ordering: .acquiring)
        return (budgetOffered.load(ordering: .acquiring), skipped)
    }

    /// Counts `offered` queued comparisons put to the CPU budget, `skipped` of which it skipped (never compared, not
    /// counted by the gate).
    func countBudget(offered: Int, skipped: Int) {
        guard offered > 0 else { return }
        budgetOffered.wrappingAdd(offered, ordering: .releasing)
        guard skipped > 0 else { return }
        budgetSkipped.wrappingAdd(skipped, ordering: .releasing)
        metrics.budgetSkipped.increment(by: skipped)
    }

    /// Counts a comparison shed (queue full, or not run before shutdown).
    func countShed(_ count: Int = 1) {
        guard count > 0 else { return }
        gate.record(Array(repeating: .shed, count: count))
        metrics.shed.increment(by: count)
    }

    // MARK: - Helpers

    private func readPair(_ key: String) throws(EngineError) -> RecordPair {
        do {
            return try reader.readPair(key)
        } catch {
            throw EngineError(error, key: key)
        }
    }

    /// The pair made of `row` and the other store's row, when both carry the same write; `nil` otherwise.
    private func pairFromRow(key: String, row: StoredRecord?, side: DualWriter.Side) throws(EngineError)
        -> RecordPair?
    {
        guard let row else { return nil }
        let other: StoredRecord?
        do {
            other = try reader.read(key, from: side == .primary ? .shadow : .primary)
        } catch {
            throw EngineError(error, key: key)
        }
        return Self.pair(key: key, row: row, side: side, other: other)
    }

    /// The pair of `row` (read from `side`) and `other` (the other store's row), when both carry the same write.
    private static func pair(key: String, row: StoredRecord, side: DualWriter.Side, other: StoredRecord?)
        -> RecordPair?
    {
        guard let other, other.seq == row.seq else { return nil }
        return side == .primary
            ? RecordPair(key: key, primary: row, shadow: other)
            : RecordPair(key: key, primary: other, shadow: row)
    }

    /// The other store's row of each first-time comparison that carries the row the read path read (`.some(nil)`:
    /// the other store has none), read in one batch per store; `nil` for the others, and for all of a store's when
    /// its batched read failed (they are then read one at a time, so that a failure names its key).
    private func otherRows(of batch: [Pending]) -> [StoredRecord??] {
        var rows = [StoredRecord??](repeating: nil, count: batch.count)
        for side in [DualWriter.Side.primary, .shadow] {
            var indices: [Int] = []
            var keys: [String] = []
            for (index, item) in batch.enumerated() where item.retryAt == nil && item.side == side && item.row != nil {
                indices.append(index)
                keys.append(item.key)
            }
            guard !keys.isEmpty, let others = try? reader.read(keys, from: side == .primary ? .shadow : .primary),
                others.count == keys.count
            else { continue }
            for (index, other) in zip(indices, others) { rows[index] = .some(other) }
        }
        return rows
    }

    /// Diffs `pair` and keeps what the comparison found (mismatch groups, samples, cohorts, unknown fields); the
    /// caller records the outcome. `nil` when neither store has the key.
    private func evaluate(pair: RecordPair, cohort: String?, scratch: inout Transcoder.Scratch) -> KeyComparison? {
        guard let result = judge(pair: pair, scratch: &scratch) else { return nil }
        keep(result, cohort: cohort)
        return result
    }

    /// Diffs `pair` without keeping anything (no lock taken: any thread may judge). `nil` when neither store has the
    /// key.
    private func judge(pair: RecordPair, scratch: inout Transcoder.Scratch) -> KeyComparison? {
        if let p = pair.primary, let s = pair.shadow, p.seq != s.seq {
            return KeyComparison(key: pair.key, outcome: .inFlight)
        }
        guard
            let comparison = diffEngine.compare(
                shadowPayload: pair.shadow?.payload, primaryPayload: pair.primary?.payload,
                options: configuration.decoding, scratch: &scratch)
        else { return nil }
        let diffs = comparison.diffs.map(redactor.redact)
        return KeyComparison(
            key: pair.key, outcome: diffs.isEmpty ? .match : .mismatch, diffs: diffs,
            unknownFields: comparison.unknownFields)
    }

    /// Keeps what a judged comparison found (mismatch groups, samples, cohorts, unknown fields).
    private func keep(_ result: KeyComparison, cohort: String?) {
        // Rows of different writes are not judged. A clean match without cohort or unknown fields changes nothing
        // below: no lock taken.
        guard result.outcome != .inFlight,
            result.unknownFields != 0 || cohort != nil || !result.diffs.isEmpty
        else { return }
        let diffs = result.diffs
        let maxSamples = configuration.maxSamples
        findings.withLock { findings in
            findings.unknownFields += result.unknownFields
            if let cohort {
                var counts = findings.cohorts[cohort] ?? RunTotals.Cohort()
                counts.compared += 1
                if !diffs.isEmpty { counts.mismatched += 1 }
                findings.cohorts[cohort] = counts
            }
            guard !diffs.isEmpty else { return }
            // What is kept for reports and the ledger names the key as the plan allows (its token when redacted).
            let shown = redactor.key(result.key)
            findings.aggregator.add(key: shown, diffs: diffs)
            if !findings.sampledKeys.contains(shown) {
                if findings.samples.count < maxSamples {
                    findings.sampledKeys.insert(shown)
                    var sample = result
                    sample.key = shown
                    findings.samples.append(sample)
                } else {
                    findings.samplesTruncated = true
                }
            }
        }
        if !diffs.isEmpty { metrics.recordKinds(diffs) }
    }

    /// Records a batch of outcomes in the gate (and breaker) and the metrics, aggregated.
    private func recordOutcomes(_ outcomes: [ComparisonOutcome]) {
        guard !outcomes.isEmpty else { return }
        gate.record(outcomes)
        metrics.record(outcomes)
    }

    private func logFailure(_ key: String, _ error: EngineError) {
        configuration.logger?.warning(
            "tandem comparison failed",
            metadata: [
                "key": "\(redactor.key(key))", "error": "\(redactor.redactsKeys ? "store error" : error.reason)",
            ])
    }
}
