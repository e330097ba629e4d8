import Foundation
import TandemProto

/// Fills the store that lacks a record (DESIGN 11): `v2-to-v1` writes the projection of primary records that have no
/// shadow row; `v1-to-v2` builds v2 records from shadow rows that have no primary row, through ``PlanInversion``.
///
/// It streams both stores in key order, a batch at a time. Every record built is checked first (it must compare
/// equal to its partner under DESIGN 4); one that does not is counted, listed with its key and reason, and not
/// written. Writes are conditional (``ConditionalWrite``): the row must still be absent and its partner must still
/// carry the seq it was built from, and the new row carries that seq, so a backfilled pair compares as written
/// together, a live writer's newer write is never reverted, and a deleted key is never brought back. It runs beside a
/// live writer.
public final class Backfiller {
    /// Which store is filled.
    public enum Direction: String, Sendable, Codable, Hashable, CaseIterable {
        /// The shadow gets the projection of primary records it lacks.
        case v2ToV1 = "v2-to-v1"
        /// The primary gets v2 records built from shadow rows it lacks.
        case v1ToV2 = "v1-to-v2"
    }

    /// Settings of a backfill.
    public struct Configuration: Sendable {
        /// Which store is filled.
        public var direction: Direction
        /// Keys read from each store, and rows written, at a time.
        public var batchSize: Int
        /// The most keys looked at per second (nil: as fast as the stores go).
        public var rate: Double?
        /// Count and check what would be written, writing nothing.
        public var dryRun: Bool
        /// How often the checkpoint callback of ``run(after:progress:checkpoint:)`` is called.
        public var checkpointInterval: Duration
        /// How often the progress callback is called.
        public var progressInterval: Duration
        /// The most keys listed in ``job`` (failures beyond it are counted only); by default every one.
        public var maxEntries: Int

        /// Creates a configuration.
        public init(
            direction: Direction = .v2ToV1, batchSize: Int = 512, rate: Double? = nil, dryRun: Bool = false,
            checkpointInterval: Duration = .seconds(1), progressInterval: Duration = .milliseconds(500),
            maxEntries: Int = .max
        ) {
            self.direction = direction
            self.batchSize = batchSize
            self.rate = rate
            self.dryRun = dryRun
            self.checkpointInterval = checkpointInterval
            self.progressInterval = progressInterval
            self.maxEntries = maxEntries
        }
    }

    /// How far a run has come.
    public struct Progress: Sendable {
        /// Keys looked at so far.
        public var scanned: Int
        /// Rows in the store read from (the primary for `v2-to-v1`) when the run started: the end of the run.
        public var total: Int
        /// Rows written so far (dry run: that would be).
        public var written: Int
        /// Seconds since the run started.
        public var elapsed: Double

        /// Seconds left at the rate so far; nil before anything was scanned.
        public var eta: Double? {
            guard scanned > 0, elapsed > 0 else { return nil }
            return Double(max(total - scanned, 0)) / (Double(scanned) / elapsed)
        }
    }

    /// The engine whose stores are filled and whose plan projects, inverts and checks.
    public let engine: MigrationEngine
    /// The settings.
    public let configuration: Configuration
    /// What the run did so far.
    public private(set) var job: Report.Job
    /// The key a rerun resumes after: the last key handled; once a record could not be filled, the key before the
    /// first such record, so that a rerun meets it again and its failure is never dropped. Nil: from the first key.
    public var position: String? { firstFailure.map { $0.before } ?? scanned }

    /// The last key handled (the scan goes on after it).
    private var scanned: String?
    /// The key handled before the first record that could not be filled, once there is one.
    private var firstFailure: (before: String?, key: String)?

    private let inversion: PlanInversion?

    /// Prepares a backfill over `engine`'s stores.
    ///
    /// - Throws: ``PlanInversionError`` for `v1-to-v2` when the plan does not invert, naming every entry and why.
    public init(engine: MigrationEngine, configuration: Configuration = .init()) throws(PlanInversionError) {
        self.engine = engine
        self.configuration = configuration
        job = Report.Job(kind: .backfill, direction: configuration.direction, dryRun: configuration.dryRun)
        inversion = configuration.direction == .v1ToV2 ? try PlanInversion(plan: engine.plan) : nil
    }

    /// Fills every key after `after` (from the first key when nil), in key order, calling `progress` every
    /// ``Configuration/progressInterval`` and `checkpoint` with the last key handled at most every
    /// ``Configuration/checkpointInterval`` (and once at the end).
    ///
    /// - Throws: ``EngineError`` when a store cannot be read or written; what was written stays, and ``position``
    ///   says where a rerun resumes.
    public func run(
        after: String? = nil, progress: ((Progress) -> Void)? = nil, checkpoint: ((String?) -> Void)? = nil
    ) throws(EngineError) {
        let backend = engine.writer.backend
        let started = ContinuousClock.now
        scanned = after
        firstFailure = nil
        job.resumed = after != nil
        let total: Int
        do {
            let counts = try backend.counts()
            total = configuration.direction == .v2ToV1 ? counts.primary : counts.shadow
        } catch {
            throw EngineError(error)
        }
        var lastCheckpoint = started
        var lastProgress = started
        let batch = max(1, min(configuration.batchSize, configuration.rate.map { max(1, Int($0)) } ?? Int.max))
        while true {
            let page: [RecordPair]
            do {
                page = try backend.pairs(after: scanned, limit: batch)
            } catch {
                throw EngineError(error)
            }
            if page.isEmpty { break }
            try fill(page)
            scanned = page.last?.key
            let now = ContinuousClock.now
            if let rate = configuration.rate, rate > 0 {
                // Throttle: the keys scanned so far may not run ahead of the rate.
                let due = started + .seconds(Double(job.scanned) / rate)
                if due > now { Thread.sleep(forTimeInterval: (due - now).seconds) }
            }
            if let checkpoint, now - lastCheckpoint >= configuration.checkpointInterval {
                lastCheckpoint = now
                checkpoint(position)
            }
            if let progress, now - lastProgress >= configuration.progressInterval {
                lastProgress = now
                progress(snapshot(total: total, started: started))
            }
        }
        job.complete = true
        checkpoint?(position)
        progress?(snapshot(total: total, started: started))
    }

    private func snapshot(total: Int, started: ContinuousClock.Instant) -> Progress {
        Progress(
            scanned: job.scanned, total: max(total, job.scanned), written: job.written,
            elapsed: (ContinuousClock.now - started).seconds)
    }

    // MARK: - One batch

    /// Builds, checks and writes the rows one page of pairs lacks.
    private func fill(_ page: [RecordPair]) throws(EngineError) {
        var writes: [ConditionalWrite] = []
        writes.reserveCapacity(page.count)
        var previous = scanned
        let now = unixMillisNow()
        for pair in page {
            defer { previous = pair.key }
            let source = configuration.direction == .v2ToV1 ? pair.primary : pair.shadow
            guard let source else { continue }
            job.scanned += 1
            let target = configuration.direction == .v2ToV1 ? pair.shadow : pair.primary
            if target != nil {
                job.unchanged += 1
                continue
            }
            switch build(key: pair.key, from: source) {
            case .success(let payload):
                let side: DualWriter.Side = configuration.direction == .v2ToV1 ? .shadow : .primary
                writes.append(
                    ConditionalWrite(
                        side: side,
                        record: StoredRecord(key: pair.key, payload: payload, seq: source.seq, writtenAt: now),
                        condition: .absent, partnerSeq: source.seq))
            case .failure(let failure):
                job.failed += 1
                if firstFailure == nil { firstFailure = (previous, pair.key) }
                // A value of a redacted field never shows in clear: the reason then names only its path.
                let reason =
                    engine.redactor.isRedacted(path: failure.path)
                    ? "\(failure.path): a redacted value does not carry over" : failure.description
                list(
                    Report.JobEntry(key: engine.redactor.key(pair.key), action: .unfillable, reason: reason, at: Date())
                )
            }
        }
        guard !writes.isEmpty else { return }
        if configuration.dryRun {
            job.written += writes.count
            return
        }
        let outcomes: [ConditionalWriteOutcome]
        do {
            outcomes = try engine.writer.backend.conditionalWrite(writes)
        } catch {
            throw EngineError(error)
        }
        for outcome in outcomes {
            switch outcome {
            case .written: job.written += 1
            case .conflict, .partnerChanged: job.raced += 1
            case .tombstoned: job.tombstoned += 1
            }
        }
    }

    /// The payload of the missing row, checked: it compares equal to `source` under the plan's rules.
    private func build(key: String, from source: StoredRecord) -> Result<[UInt8], PlanInversion.Failure> {
        switch configuration.direction {
        case .v2ToV1:
            return engine.checkedProjection(key: key, primary: source.payload)
        case .v1ToV2:
            guard let inversion else { return .failure(.init(path: "$", reason: "the plan was not inverted")) }
            let legacy: DynamicMessage
            do {
                legacy = try DynamicMessage(
                    decoding: source.payload, as: engine.plan.v1Message, schema: engine.plan.v1.schema,
                    options: engine.configuration.decoding)
            } catch {
                return .failure(
                    .init(
                        path: "$",
                        reason: "the shadow row does not decode as \(engine.plan.v1Message.fullName): \(error)"))
            }
            let payload: [UInt8]
            switch inversion.invert(legacy, key: key) {
            case .success(let built): payload = built.serializedBytes()
            case .failure(let failure): return .failure(failure)
            }
            // DESIGN 11: what is written must project back equal to its partner.
            if let failure = engine.inequality(shadow: source.payload, primary: payload) { return .failure(failure) }
            return .success(payload)
        }
    }

    private func list(_ entry: Report.JobEntry) { job.list(entry, limit: configuration.maxEntries) }
}
