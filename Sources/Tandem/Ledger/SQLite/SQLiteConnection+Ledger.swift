/// Writing a checkpoint: each section of the report goes to its own table, and a section equal to the one the
/// previous checkpoint wrote is left alone (samples and the timeline that only grew get their new rows appended).
extension SQLiteConnection {
    func writeCheckpoint(
        _ report: Report, previous: Report?, pending: [LedgerTransition], checkpoints: Int,
        nowUnixMillis: Int64
    ) throws(SQLiteError) {
        try writeRun(report, checkpoints: checkpoints, nowUnixMillis: nowUnixMillis)

        // Transitions: the report's are authoritative for seq 1...n; buffered ones past n are the breaker's news
        // since the report was taken, and the next checkpoint's report will hold them at the same seq.
        let start = unchangedPrefix(report.transitions, previous?.transitions)
        if start == 0 && previous != nil { try run("DELETE FROM tandem_ledger_transitions") }
        for (offset, transition) in report.transitions.enumerated().dropFirst(start) {
            try insertTransition(seq: offset + 1, transition)
        }
        for numbered in pending where numbered.seq > report.transitions.count {
            try insertTransition(seq: numbered.seq, numbered.transition)
        }

        if previous?.fields != report.fields { try writeGroups(report.fields) }

        let mismatchStart = unchangedPrefix(report.mismatches, previous?.mismatches)
        if mismatchStart == 0 && previous != nil {
            try run("DELETE FROM tandem_ledger_mismatch_diffs")
            try run("DELETE FROM tandem_ledger_mismatches")
        }
        for (ordinal, mismatch) in report.mismatches.enumerated().dropFirst(mismatchStart) {
            try run(
                "INSERT INTO tandem_ledger_mismatches(ordinal, key) VALUES (?, ?)",
                [.integer(Int64(ordinal)), .text(mismatch.key)])
            for (index, diff) in mismatch.diffs.enumerated() {
                try run(
                    """
                    INSERT INTO tandem_ledger_mismatch_diffs(mismatch, ordinal, path, kind, v1, v2, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .integer(Int64(ordinal)), .integer(Int64(index)), .text(diff.path), .text(diff.kind.rawValue),
                        LedgerCoding.json(diff.v1), LedgerCoding.json(diff.v2), LedgerCoding.text(diff.detail),
                    ])
            }
        }

        if previous?.cohorts != report.cohorts {
            try run("DELETE FROM tandem_ledger_cohorts")
            for (name, cohort) in report.cohorts {
                try run(
                    "INSERT INTO tandem_ledger_cohorts(name, compared, mismatched) VALUES (?, ?, ?)",
                    [.text(name), LedgerCoding.integer(cohort.compared), LedgerCoding.integer(cohort.mismatched)])
            }
        }

        let timelineStart = unchangedPrefix(report.timeline, previous?.timeline)
        if timelineStart == 0 && previous != nil { try run("DELETE FROM tandem_ledger_timeline") }
        for (seq, point) in report.timeline.enumerated().dropFirst(timelineStart) {
            try run(
                """
                INSERT INTO tandem_ledger_timeline(seq, at, at_unix_ms, compared, mismatched) VALUES (?, ?, ?, ?, ?)
                """,
                [
                    .integer(Int64(seq)), LedgerCoding.text(point.at), LedgerCoding.unixMillis(point.at),
                    LedgerCoding.integer(point.compared), LedgerCoding.integer(point.mismatched),
                ])
        }

        if previous?.mismatchesTruncated != report.mismatchesTruncated || previous?.keysRedacted != report.keysRedacted
            || previous?.sampling != report.sampling || (previous?.rollout == nil) != (report.rollout == nil)
            || previous == nil
        {
            try run("DELETE FROM tandem_ledger_flags")
            var flags: [(String, SQLiteValue)] = [
                ("mismatches_truncated", LedgerCoding.integer(report.mismatchesTruncated)),
                ("keys_redacted", LedgerCoding.integer(report.keysRedacted)),
                // The run walks a rollout: its report shows the ledger's rollout row (which outlives runs).
                ("rollout", LedgerCoding.integer(report.rollout != nil)),
            ]
            if let sampling = report.sampling {
                // The rate as an integer in parts per billion: the table holds integers.
                flags.append(("sample_rate_ppb", .integer(Int64((sampling.rate * 1e9).rounded()))))
                flags.append(("budget_offered", .integer(Int64(sampling.budgetOffered))))
                flags.append(("budget_skipped", .integer(Int64(sampling.budgetSkipped))))
            }
            for (name, value) in flags {
                try run("INSERT INTO tandem_ledger_flags(name, value) VALUES (?, ?)", [.text(name), value])
            }
        }
        if previous?.job != report.job { try writeJob(report.job, previous: previous?.job) }

        if previous?.legacyUnknownFields != report.legacyUnknownFields {
            try run("DELETE FROM tandem_ledger_legacy_unknown_fields")
            for field in report.legacyUnknownFields ?? [] {
                try run(
                    "INSERT INTO tandem_ledger_legacy_unknown_fields(path, number, count) VALUES (?, ?, ?)",
                    [.text(field.path), .integer(Int64(field.number)), LedgerCoding.integer(field.count)])
            }
        }

        if previous?.settings != report.settings {
            try run("DELETE FROM tandem_ledger_settings")
            for (ordinal, setting) in report.settings.enumerated() {
                try run(
                    "INSERT INTO tandem_ledger_settings(ordinal, key, value) VALUES (?, ?, ?)",
                    [.integer(Int64(ordinal)), .text(setting.key), .text(setting.value)])
            }
        }
    }

    /// How many leading elements of `current` are already stored: all of `previous` when it is a prefix of
    /// `current`, else none (the section is rewritten; rows past `current`'s end are removed by the caller or replaced).
    private func unchangedPrefix<T: Equatable>(_ current: [T], _ previous: [T]?) -> Int {
        guard let previous, previous.count <= current.count, current.starts(with: previous) else { return 0 }
        return previous.count
    }

    func insertTransition(seq: Int, _ transition: Report.Transition) throws(SQLiteError) {
        try run(
            """
            INSERT OR REPLACE INTO tandem_ledger_transitions(seq, at, at_unix_ms, from_state, to_state, mismatch_rate,
                samples) VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(Int64(seq)), LedgerCoding.text(transition.at), LedgerCoding.unixMillis(transition.at),
                .text(transition.from.rawValue), .text(transition.to.rawValue),
                LedgerCoding.text(transition.mismatchRate),
                LedgerCoding.integer(transition.samples),
            ])
    }

    private func writeRun(_ report: Report, checkpoints: Int, nowUnixMillis: Int64) throws(SQLiteError) {
        let totals = report.totals
        let values: [SQLiteValue] = [
            LedgerCoding.integer(report.version), .text(report.plan), .text(report.planFingerprint),
            .text(report.source.rawValue), LedgerCoding.text(report.startedAt), LedgerCoding.text(report.finishedAt),
            LedgerCoding.unixMillis(report.finishedAt),
            LedgerCoding.integer(totals.writes), LedgerCoding.integer(totals.reads),
            LedgerCoding.integer(totals.deletes),
            LedgerCoding.integer(totals.compared), LedgerCoding.integer(totals.matched),
            LedgerCoding.integer(totals.mismatched), LedgerCoding.integer(totals.inFlight),
            LedgerCoding.integer(totals.shed), LedgerCoding.integer(totals.badLines),
            LedgerCoding.integer(totals.repaired), LedgerCoding.integer(totals.unknownFields),
            LedgerCoding.text(report.consistency), LedgerCoding.text(report.interval.low),
            LedgerCoding.text(report.interval.high), LedgerCoding.text(report.interval.confidence),
            LedgerCoding.text(report.gate.minConsistency), LedgerCoding.integer(report.gate.minSamples),
            LedgerCoding.integer(report.gate.passed), LedgerCoding.integer(report.gate.confident),
            LedgerCoding.integer(report.gate.inconclusive), .text(report.gate.reason),
            .text(report.breakerState.rawValue), LedgerCoding.integer(report.transitions.count),
            LedgerCoding.integer(checkpoints), .integer(nowUnixMillis),
        ]
        try run(
            """
            INSERT OR REPLACE INTO tandem_ledger_run(id, report_version, plan, plan_fingerprint, source, started_at,
                finished_at, finished_at_unix_ms, writes, reads, deletes, compared, matched, mismatched, in_flight,
                shed, bad_lines, repaired, unknown_fields, consistency, interval_low, interval_high,
                interval_confidence, gate_min_consistency, gate_min_samples, gate_passed, gate_confident,
                gate_inconclusive, gate_reason, breaker_state, transitions_checkpointed, checkpoints,
                checkpointed_at_unix_ms)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, values)
    }

    private func writeGroups(_ groups: [Report.FieldGroup]) throws(SQLiteError) {
        try run("DELETE FROM tandem_ledger_group_samples")
        try run("DELETE FROM tandem_ledger_groups")
        for (rank, group) in groups.enumerated() {
            try run(
                "INSERT INTO tandem_ledger_groups(rank, path, kind, count) VALUES (?, ?, ?, ?)",
                [
                    .integer(Int64(rank)), .text(group.path), .text(group.kind.rawValue),
                    LedgerCoding.integer(group.count),
                ])
            // Keys and diffs are stored side by side; when one list is longer, the other side's columns are NULL.
            for ordinal in 0..<max(group.sampleKeys.count, group.sampleDiffs.count) {
                let key = ordinal < group.sampleKeys.count ? group.sampleKeys[ordinal] : nil
                let diff = ordinal < group.sampleDiffs.count ? group.sampleDiffs[ordinal] : nil
                try run(
                    """
                    INSERT INTO tandem_ledger_group_samples(group_rank, ordinal, key, path, kind, v1, v2, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .integer(Int64(rank)), .integer(Int64(ordinal)), LedgerCoding.text(key),
                        LedgerCoding.text(diff?.path), LedgerCoding.text(diff?.kind.rawValue),
                        LedgerCoding.json(diff?.v1),
                        LedgerCoding.json(diff?.v2), LedgerCoding.text(diff?.detail),
                    ])
            }
        }
    }

    /// The job row, and the job's entries past those the previous checkpoint wrote.
    private func writeJob(_ job: Report.Job?, previous: Report.Job?) throws(SQLiteError) {
        guard let job else {
            try run("DELETE FROM tandem_ledger_job")
            try run("DELETE FROM tandem_ledger_job_keys")
            return
        }
        try run(
            """
            INSERT OR REPLACE INTO tandem_ledger_job(id, kind, direction, dry_run, complete, resumed, scanned, written,
                unchanged, raced, tombstoned, failed, missing_in_primary, absent, entries_omitted)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(job.kind.rawValue), LedgerCoding.text(job.direction?.rawValue), LedgerCoding.integer(job.dryRun),
                LedgerCoding.integer(job.complete), LedgerCoding.integer(job.resumed),
                LedgerCoding.integer(job.scanned),
                LedgerCoding.integer(job.written), LedgerCoding.integer(job.unchanged), LedgerCoding.integer(job.raced),
                LedgerCoding.integer(job.tombstoned), LedgerCoding.integer(job.failed),
                LedgerCoding.integer(job.missingInPrimary), LedgerCoding.integer(job.absent),
                LedgerCoding.integer(job.entriesOmitted),
            ])
        let start = unchangedPrefix(job.entries, previous?.entries)
        if start == 0 { try run("DELETE FROM tandem_ledger_job_keys") }
        for (ordinal, entry) in job.entries.enumerated().dropFirst(start) {
            try run(
                """
                INSERT OR REPLACE INTO tandem_ledger_job_keys(ordinal, key, action, reason, old_hash, new_hash, at,
                    at_unix_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(Int64(ordinal)), .text(entry.key), .text(entry.action.rawValue),
                    LedgerCoding.text(entry.reason), LedgerCoding.text(entry.oldHash), LedgerCoding.text(entry.newHash),
                    LedgerCoding.text(entry.at), LedgerCoding.unixMillis(entry.at),
                ])
        }
    }
}
