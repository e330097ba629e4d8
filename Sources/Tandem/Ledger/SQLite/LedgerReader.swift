import Foundation

/// Rebuilds a ``Report`` from a ledger's tables (inside one read transaction, so every table is read at the same
/// checkpoint).
struct LedgerReader {
    let connection: SQLiteConnection
    let path: String

    func report() throws(LedgerError) -> Report {
        var (report, checkpointed) = try run()
        let transitions = try rows(
            "SELECT seq, at, from_state, to_state, mismatch_rate, samples FROM tandem_ledger_transitions ORDER BY seq",
            table: "tandem_ledger_transitions"
        ) { (row) throws(LedgerError) in
            (
                seq: row.int(0),
                transition: Report.Transition(
                    at: try row.date(1, "at"), from: try row.value(2, "from_state", as: BreakerState.self),
                    to: try row.value(3, "to_state", as: BreakerState.self),
                    mismatchRate: try row.double(4, "mismatch_rate"), samples: row.int(5))
            )
        }
        report.transitions = transitions.filter { $0.seq <= checkpointed }.map(\.transition)
        guard report.transitions.count == checkpointed else {
            throw LedgerError(
                code: .corrupt, path: path,
                message: "the ledger is corrupt: the checkpoint counts \(checkpointed) breaker transitions, "
                    + "tandem_ledger_transitions holds \(report.transitions.count)")
        }
        report.appendLateTransitions(transitions.filter { $0.seq > checkpointed }.map(\.transition))

        report.fields = try groups()
        report.mismatches = try mismatches()
        let cohorts = try rows(
            "SELECT name, compared, mismatched FROM tandem_ledger_cohorts", table: "tandem_ledger_cohorts"
        ) { (row) throws(LedgerError) in (row.string(0), Report.Cohort(compared: row.int(1), mismatched: row.int(2))) }
        report.cohorts = Dictionary(cohorts, uniquingKeysWith: { first, _ in first })
        report.timeline = try rows(
            "SELECT at, compared, mismatched FROM tandem_ledger_timeline ORDER BY seq", table: "tandem_ledger_timeline"
        ) { (row) throws(LedgerError) in
            Report.TimelinePoint(at: try row.date(0, "at"), compared: row.int(1), mismatched: row.int(2))
        }
        report.settings = try rows(
            "SELECT key, value FROM tandem_ledger_settings ORDER BY ordinal", table: "tandem_ledger_settings"
        ) { (row) throws(LedgerError) in
            guard let setting = Report.Setting(key: row.string(0), value: row.string(1)) else {
                throw row.corrupt("value", "'\(row.string(1))' is not a value of setting '\(row.string(0))'")
            }
            return setting
        }
        // Tables added to version 1 later: a ledger written before them has none, and its report no flags or job.
        let tables = try rows("SELECT name FROM sqlite_schema WHERE type = 'table'", table: "sqlite_schema") {
            (row) throws(LedgerError) in row.string(0)
        }
        var walksRollout = false
        if tables.contains("tandem_ledger_flags") {
            let flags = try rows("SELECT name, value FROM tandem_ledger_flags", table: "tandem_ledger_flags") {
                (row) throws(LedgerError) in (row.string(0), row.int(1))
            }
            var sampling: (rate: Int?, offered: Int, skipped: Int) = (nil, 0, 0)
            for (name, value) in flags {
                switch name {
                case "mismatches_truncated": report.mismatchesTruncated = value != 0
                case "keys_redacted": report.keysRedacted = value != 0
                case "rollout": walksRollout = value != 0
                case "sample_rate_ppb": sampling.rate = value
                case "budget_offered": sampling.offered = value
                case "budget_skipped": sampling.skipped = value
                default: break
                }
            }
            if let rate = sampling.rate {
                report.sampling = Report.Sampling(
                    rate: Double(rate) / 1e9, budgetOffered: sampling.offered, budgetSkipped: sampling.skipped)
            }
        }
        if tables.contains("tandem_ledger_job") { report.job = try job() }
        if tables.contains("tandem_ledger_legacy_unknown_fields") {
            let fields = try rows(
                "SELECT path, number, count FROM tandem_ledger_legacy_unknown_fields",
                table: "tandem_ledger_legacy_unknown_fields"
            ) { (row) throws(LedgerError) in
                Report.LegacyUnknownField(path: row.string(0), number: Int32(clamping: row.int(1)), count: row.int(2))
            }
            // None counted reads back as none, as the engine reports it.
            report.legacyUnknownFields =
                fields.isEmpty ? nil : fields.sorted { ($1.count, $0.path) < ($0.count, $1.path) }
        }
        if walksRollout && tables.contains("tandem_ledger_state") {
            let rollout = try rows(
                "SELECT value FROM tandem_ledger_state WHERE name = 'rollout'", table: "tandem_ledger_state"
            ) { (row) throws(LedgerError) in row.bytes(0) }
            if let bytes = rollout.first {
                do {
                    report.rollout = try RolloutStatus.decode(bytes)
                } catch {
                    throw LedgerError(
                        code: .corrupt, path: path, message: "the ledger is corrupt: its rollout row: \(error.reason)")
                }
            }
        }
        return report
    }

    private func job() throws(LedgerError) -> Report.Job? {
        let jobs = try rows(
            """
            SELECT kind, direction, dry_run, complete, resumed, scanned, written, unchanged, raced, tombstoned, failed,
                missing_in_primary, absent, entries_omitted FROM tandem_ledger_job WHERE id = 1
            """, table: "tandem_ledger_job"
        ) { (row) throws(LedgerError) -> Report.Job in
            guard let kind = Report.Job.Kind(rawValue: row.string(0)) else {
                throw row.corrupt("kind", "'\(row.string(0))' is not a job")
            }
            var direction: Backfiller.Direction?
            if let text = row.optionalString(1) {
                guard let known = Backfiller.Direction(rawValue: text) else {
                    throw row.corrupt("direction", "'\(text)' is not a backfill direction")
                }
                direction = known
            }
            var job = Report.Job(kind: kind, direction: direction, dryRun: row.bool(2))
            job.complete = row.bool(3)
            job.resumed = row.bool(4)
            job.scanned = row.int(5)
            job.written = row.int(6)
            job.unchanged = row.int(7)
            job.raced = row.int(8)
            job.tombstoned = row.int(9)
            job.failed = row.int(10)
            job.missingInPrimary = row.int(11)
            job.absent = row.int(12)
            job.entriesOmitted = row.int(13)
            return job
        }
        guard var job = jobs.first else { return nil }
        job.entries = try rows(
            "SELECT key, action, reason, old_hash, new_hash, at FROM tandem_ledger_job_keys ORDER BY ordinal",
            table: "tandem_ledger_job_keys"
        ) { (row) throws(LedgerError) -> Report.JobEntry in
            guard let action = Report.JobEntry.Action(rawValue: row.string(1)) else {
                throw row.corrupt("action", "'\(row.string(1))' is not a job action")
            }
            return Report.JobEntry(
                key: row.string(0), action: action, reason: row.optionalString(2), oldHash: row.optionalString(3),
                newHash: row.optionalString(4), at: try row.date(5, "at"))
        }
        return job
    }

    /// The run row, and how many transitions the checkpoint's report held.
    private func run() throws(LedgerError) -> (Report, Int) {
        let sql = """
            SELECT report_version, plan, plan_fingerprint, source, started_at, finished_at, writes, reads, deletes,
                compared, matched, mismatched, in_flight, shed, bad_lines, repaired, unknown_fields, consistency,
                interval_low, interval_high, interval_confidence, gate_min_consistency, gate_min_samples, gate_passed,
                gate_confident, gate_inconclusive, gate_reason, breaker_state, transitions_checkpointed
            FROM tandem_ledger_run WHERE id = 1
            """
        let reports = try rows(sql, table: "tandem_ledger_run") { (row) throws(LedgerError) -> (Report, Int) in
            var totals = Report.Totals()
            totals.writes = row.int(6)
            totals.reads = row.int(7)
            totals.deletes = row.int(8)
            totals.compared = row.int(9)
            totals.matched = row.int(10)
            totals.mismatched = row.int(11)
            totals.inFlight = row.int(12)
            totals.shed = row.int(13)
            totals.badLines = row.int(14)
            totals.repaired = row.int(15)
            totals.unknownFields = row.int(16)
            let interval = Report.Interval(
                low: try row.double(18, "interval_low"), high: try row.double(19, "interval_high"),
                confidence: try row.double(20, "interval_confidence"))
            let gate = Report.Gate(
                minConsistency: try row.double(21, "gate_min_consistency"), minSamples: row.int(22),
                passed: row.bool(23), confident: row.bool(24), inconclusive: row.bool(25), reason: row.string(26))
            let checkpointed = row.int(28)
            guard checkpointed >= 0 && checkpointed <= 10_000_000 else {
                throw row.corrupt("transitions_checkpointed", "\(checkpointed) is out of range")
            }
            var report = Report(
                plan: row.string(1), planFingerprint: row.string(2), source: Report.Source(rawValue: row.string(3)),
                startedAt: try row.date(4, "started_at"), finishedAt: try row.date(5, "finished_at"), totals: totals,
                consistency: try row.double(17, "consistency"), interval: interval, gate: gate,
                breakerState: try row.value(27, "breaker_state", as: BreakerState.self), transitions: [],
                fields: [], mismatches: [], cohorts: [:], timeline: [], settings: [])
            report.version = row.int(0)
            return (report, checkpointed)
        }
        guard let report = reports.first else {
            throw LedgerError(
                code: .noCheckpoint, path: path,
                message: "the ledger holds no checkpoint yet (the run stopped before its first commit)")
        }
        return report
    }

    private func groups() throws(LedgerError) -> [Report.FieldGroup] {
        var groups = try rows(
            "SELECT rank, path, kind, count FROM tandem_ledger_groups ORDER BY rank", table: "tandem_ledger_groups"
        ) { (row) throws(LedgerError) in
            (
                rank: row.int(0),
                group: Report.FieldGroup(
                    path: row.string(1), kind: try row.value(2, "kind", as: FieldDiff.Kind.self), count: row.int(3))
            )
        }
        let index = Dictionary(
            groups.enumerated().map { ($0.element.rank, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let samples = try rows(
            """
            SELECT group_rank, key, path, kind, v1, v2, detail FROM tandem_ledger_group_samples
            ORDER BY group_rank, ordinal
            """, table: "tandem_ledger_group_samples"
        ) { (row) throws(LedgerError) in
            let diff: Report.Diff? =
                row.optionalString(2) == nil
                ? nil
                : Report.Diff(
                    path: row.string(2), kind: try row.value(3, "kind", as: FieldDiff.Kind.self),
                    v1: try row.json(4, "v1"),
                    v2: try row.json(5, "v2"), detail: row.optionalString(6))
            return (rank: row.int(0), key: row.optionalString(1), diff: diff)
        }
        for sample in samples {
            guard let position = index[sample.rank] else {
                throw LedgerError(
                    code: .corrupt, path: path,
                    message: "the ledger is corrupt: tandem_ledger_group_samples names group \(sample.rank), "
                        + "which tandem_ledger_groups does not hold")
            }
            if let key = sample.key { groups[position].group.sampleKeys.append(key) }
            if let diff = sample.diff { groups[position].group.sampleDiffs.append(diff) }
        }
        return groups.map(\.group)
    }

    private func mismatches() throws(LedgerError) -> [Report.Mismatch] {
        var mismatches = try rows(
            "SELECT ordinal, key FROM tandem_ledger_mismatches ORDER BY ordinal", table: "tandem_ledger_mismatches"
        ) { (row) throws(LedgerError) in (ordinal: row.int(0), mismatch: Report.Mismatch(key: row.string(1), diffs: []))
        }
        let index = Dictionary(
            mismatches.enumerated().map { ($0.element.ordinal, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let diffs = try rows(
            """
            SELECT mismatch, path, kind, v1, v2, detail FROM tandem_ledger_mismatch_diffs ORDER BY mismatch, ordinal
            """, table: "tandem_ledger_mismatch_diffs"
        ) { (row) throws(LedgerError) in
            (
                ordinal: row.int(0),
                diff: Report.Diff(
                    path: row.string(1), kind: try row.value(2, "kind", as: FieldDiff.Kind.self),
                    v1: try row.json(3, "v1"),
                    v2: try row.json(4, "v2"), detail: row.optionalString(5))
            )
        }
        for diff in diffs {
            guard let position = index[diff.ordinal] else {
                throw LedgerError(
                    code: .corrupt, path: path,
                    message: "the ledger is corrupt: tandem_ledger_mismatch_diffs names sample \(diff.ordinal), "
                        + "which tandem_ledger_mismatches does not hold")
            }
            mismatches[position].mismatch.diffs.append(diff.diff)
        }
        return mismatches.map(\.mismatch)
    }

    /// Runs a query and maps each row, turning SQLite failures into ledger errors about `table`.
    private func rows<T>(
        _ sql: String, table: String, _ map: (LedgerCoding.Row) throws(LedgerError) -> T
    ) throws(LedgerError) -> [T] {
        let statement: SQLiteStatement
        do {
            statement = try connection.statement(sql)
        } catch {
            throw LedgerError(error, path: path, fallback: .corrupt)
        }
        defer { statement.finish() }
        var result: [T] = []
        do {
            try statement.bind([])
        } catch {
            throw LedgerError(error, path: path, fallback: .readFailed)
        }
        while true {
            let more: Bool
            do {
                more = try statement.step()
            } catch {
                throw LedgerError(error, path: path, fallback: .readFailed)
            }
            guard more else { break }
            result.append(try map(LedgerCoding.Row(statement: statement, table: table, path: path)))
        }
        return result
    }
}
