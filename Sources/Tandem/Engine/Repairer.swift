import Foundation

/// Mends divergent keys (DESIGN 11): each key is compared again (feeding the gate, so the run's report shows what was
/// found), and a mismatching key's shadow row is rewritten from the primary's projection, only while both rows still
/// carry the seqs that comparison saw (the primary is authoritative). A key only the shadow holds
/// (`record_missing_in_primary`) is listed and left alone; a key whose rewritten row would still not compare equal (a
/// v2 value the v1 field cannot hold) is listed as unrepairable. Runs beside a live writer: a key it changed since the
/// comparison is left as that writer wrote it.
public final class Repairer {
    /// Settings of a repair.
    public struct Configuration: Sendable {
        /// List what would change, writing nothing.
        public var dryRun: Bool
        /// Keys read from each store at a time by ``repairAll(progress:checkpoint:)``.
        public var pageSize: Int
        /// How many times a key whose rows carry different writes is read again before it is left as in flight.
        public var inFlightRetries: Int
        /// The wait before each of those reads.
        public var retryDelay: Duration
        /// How often the checkpoint callback is called.
        public var checkpointInterval: Duration
        /// How often the progress callback is called.
        public var progressInterval: Duration
        /// The most keys listed in ``job`` (beyond it they are counted only); by default every one, since every repair
        /// goes to the ledger (DESIGN 11).
        public var maxEntries: Int

        /// Creates a configuration.
        public init(
            dryRun: Bool = false, pageSize: Int = 512, inFlightRetries: Int = 3,
            retryDelay: Duration = .milliseconds(20),
            checkpointInterval: Duration = .seconds(1), progressInterval: Duration = .milliseconds(500),
            maxEntries: Int = .max
        ) {
            self.dryRun = dryRun
            self.pageSize = pageSize
            self.inFlightRetries = inFlightRetries
            self.retryDelay = retryDelay
            self.checkpointInterval = checkpointInterval
            self.progressInterval = progressInterval
            self.maxEntries = maxEntries
        }
    }

    /// The engine whose stores are repaired.
    public let engine: MigrationEngine
    /// The settings.
    public let configuration: Configuration
    /// What the run did so far.
    public private(set) var job: Report.Job
    /// The consistency of the comparisons made (before any repair), over time.
    public private(set) var timeline = Timeline()

    /// Prepares a repair over `engine`'s stores.
    public init(engine: MigrationEngine, configuration: Configuration = .init()) {
        self.engine = engine
        self.configuration = configuration
        job = Report.Job(kind: .repair, dryRun: configuration.dryRun)
    }

    /// Repairs the named keys, in the order given (a key named twice is handled once).
    ///
    /// - Throws: ``EngineError`` when a store cannot be read or written (keys handled before stay repaired).
    public func repair(keys: [String], checkpoint: (() -> Void)? = nil) throws(EngineError) {
        var seen: Set<String> = []
        var lastCheckpoint = ContinuousClock.now
        for key in keys where seen.insert(key).inserted {
            do {
                try RecordKey.validate(key, path: nil)
            } catch {
                throw EngineError(.invalidKey, key: error.key, reason: error.message)
            }
            let pair: RecordPair
            do {
                pair = try engine.writer.backend.readPair(key)
            } catch {
                throw EngineError(error, key: key)
            }
            try handle(pair, named: true)
            if let checkpoint, ContinuousClock.now - lastCheckpoint >= configuration.checkpointInterval {
                lastCheckpoint = ContinuousClock.now
                checkpoint()
            }
        }
        timeline.close(at: Date(), totals: engine.gate.totals)
        job.complete = true
    }

    /// Compares every key of both stores (a verify pass) and repairs each that mismatches.
    ///
    /// - Throws: ``EngineError`` when a store cannot be read or written.
    public func repairAll(progress: ((ReplayProgress) -> Void)? = nil, checkpoint: (() -> Void)? = nil)
        throws(EngineError)
    {
        let started = Date()
        var position: String?
        var lastCheckpoint = ContinuousClock.now
        var lastProgress = ContinuousClock.now
        while true {
            let page: [RecordPair]
            do {
                page = try engine.writer.backend.pairs(after: position, limit: max(1, configuration.pageSize))
            } catch {
                throw EngineError(error)
            }
            if page.isEmpty { break }
            for pair in page { try handle(pair, named: false) }
            position = page.last?.key
            if let checkpoint, ContinuousClock.now - lastCheckpoint >= configuration.checkpointInterval {
                lastCheckpoint = ContinuousClock.now
                checkpoint()
            }
            if let progress, ContinuousClock.now - lastProgress >= configuration.progressInterval {
                lastProgress = ContinuousClock.now
                let totals = engine.gate.totals
                progress(
                    ReplayProgress(
                        processed: job.scanned, elapsed: started.distance(to: Date()),
                        consistency: totals.counts.consistency, compared: totals.compared,
                        breakerState: engine.breaker.state))
            }
        }
        timeline.close(at: Date(), totals: engine.gate.totals)
        job.complete = true
    }

    // MARK: - One key

    private func handle(_ first: RecordPair, named: Bool) throws(EngineError) {
        var pair = first
        job.scanned += 1
        if pair.primary == nil && pair.shadow == nil {
            if named { job.absent += 1 }
            return
        }
        // Rows of different writes: a write is settling. Read again a few times before leaving it in flight.
        var retries = 0
        while let p = pair.primary, let s = pair.shadow, p.seq != s.seq, retries < configuration.inFlightRetries {
            retries += 1
            Thread.sleep(forTimeInterval: configuration.retryDelay.seconds)
            do {
                pair = try engine.writer.backend.readPair(pair.key)
            } catch {
                throw EngineError(error, key: pair.key)
            }
        }
        guard let comparison = engine.record(pair: pair) else {
            if named { job.absent += 1 }
            return
        }
        timeline.observe(at: Date(), totals: engine.gate.totals)
        switch comparison.outcome {
        case .match:
            job.unchanged += 1
            return
        case .inFlight, .shed:
            job.raced += 1
            return
        case .mismatch:
            break
        }
        let shown = engine.redactor.key(pair.key)
        guard let primary = pair.primary else {
            job.missingInPrimary += 1
            list(
                Report.JobEntry(
                    key: shown, action: .missingInPrimary, reason: "only the shadow holds the key", at: Date()))
            return
        }
        let projected: [UInt8]
        switch engine.checkedProjection(key: pair.key, primary: primary.payload) {
        case .success(let payload): projected = payload
        case .failure(let failure):
            // The primary is authoritative: a row that still would not compare equal is not written.
            job.failed += 1
            list(Report.JobEntry(key: shown, action: .unrepairable, reason: failure.description, at: Date()))
            return
        }
        let oldHash = pair.shadow.map { SHA256.hex(of: $0.payload) }
        let newHash = SHA256.hex(of: projected)
        if configuration.dryRun {
            job.written += 1
            list(Report.JobEntry(key: shown, action: .wouldRepair, oldHash: oldHash, newHash: newHash, at: Date()))
            return
        }
        let write = ConditionalWrite(
            side: .shadow,
            record: StoredRecord(
                key: pair.key, payload: projected, seq: primary.seq,
                writtenAt: unixMillisNow()),
            condition: pair.shadow.map { .seq($0.seq) } ?? .absent, partnerSeq: primary.seq)
        let outcome: ConditionalWriteOutcome
        do {
            outcome = try engine.writer.backend.conditionalWrite(write)
        } catch {
            throw EngineError(error, key: pair.key)
        }
        switch outcome {
        case .written:
            job.written += 1
            list(Report.JobEntry(key: shown, action: .repaired, oldHash: oldHash, newHash: newHash, at: Date()))
        case .conflict, .partnerChanged:
            job.raced += 1
        case .tombstoned:
            job.tombstoned += 1
        }
    }

    private func list(_ entry: Report.JobEntry) { job.list(entry, limit: configuration.maxEntries) }
}
