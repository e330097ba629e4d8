import Foundation
import TandemProto

extension MigrationEngine {
    /// The report of everything the engine has seen: totals, the gate's verdict, breaker transitions, mismatch
    /// groups and samples (values as proto3 JSON, redacted), cohorts, and the given timeline.
    public func report(source: Report.Source, startedAt: Date, timeline: [Report.TimelinePoint]) -> Report {
        let snapshot = gate.snapshot()
        let breakerSnapshot = breaker.snapshot()
        let run = totals
        var reportTotals = Report.Totals()
        reportTotals.writes = run.writes
        reportTotals.reads = run.reads
        reportTotals.deletes = run.deletes
        reportTotals.compared = snapshot.totals.compared
        reportTotals.matched = snapshot.totals.matched
        reportTotals.mismatched = snapshot.totals.mismatched
        reportTotals.inFlight = snapshot.totals.inFlight
        reportTotals.shed = snapshot.totals.shed
        reportTotals.badLines = run.badLines
        reportTotals.repaired = run.repaired
        reportTotals.unknownFields = run.unknownFields

        let diff = reportDiff
        let groups = mismatchGroups.map { group in
            Report.FieldGroup(
                path: group.path, kind: group.kind, count: group.count,
                sampleKeys: group.samples.map(\.key), sampleDiffs: group.samples.map { diff($0.diff) })
        }
        let mismatches = mismatchSamples.map { Report.Mismatch(key: $0.key, diffs: $0.diffs.map(diff)) }
        let verdict = snapshot.verdict
        var report = Report(
            plan: plan.name, planFingerprint: plan.fingerprint, source: source, startedAt: startedAt,
            finishedAt: Date(), totals: reportTotals, consistency: snapshot.consistency,
            interval: Report.Interval(
                low: snapshot.interval.lower, high: snapshot.interval.upper,
                confidence: snapshot.interval.confidence),
            gate: Report.Gate(
                minConsistency: plan.gate.minConsistency, minSamples: plan.gate.minSamples,
                passed: verdict.passed, confident: verdict.confident, inconclusive: verdict.inconclusive,
                reason: verdict.reason),
            breakerState: breakerSnapshot.state,
            transitions: breakerSnapshot.transitions.map {
                Report.Transition(
                    at: $0.at, from: $0.from, to: $0.to, mismatchRate: $0.mismatchRate,
                    samples: $0.samples)
            },
            fields: groups, mismatches: mismatches,
            cohorts: run.cohorts.mapValues { Report.Cohort(compared: $0.compared, mismatched: $0.mismatched) },
            timeline: timeline, settings: settings)
        report.mismatchesTruncated = comparator.mismatchSamplesTruncated
        report.keysRedacted = redactor.redactsKeys
        report.sampling = sampling
        let legacyFields = legacyUnknownFields.fields
        report.legacyUnknownFields = legacyFields.isEmpty ? nil : legacyFields
        return report
    }

    /// A diff as reports show it: its values rendered as proto3 JSON by their v1 field (callers redact first).
    func reportDiff(_ fieldDiff: FieldDiff) -> Report.Diff {
        let renderer = DiffValueRenderer(schema: plan.v1.schema, root: plan.v1Message)
        return Report.Diff(
            path: fieldDiff.path, kind: fieldDiff.kind,
            v1: renderer.render(fieldDiff.v1, path: fieldDiff.path),
            v2: renderer.render(fieldDiff.v2, path: fieldDiff.path), detail: fieldDiff.detail)
    }

    /// The plan's settings the run used, as reports list them.
    var settings: [Report.Setting] {
        var out: [Report.Setting] = [
            .v1Message(plan.v1Message.fullName), .v2Message(plan.v2Message.fullName), .key(plan.key?.description),
            .whitelist(plan.whitelist.map(\.field)), .minConsistency(plan.gate.minConsistency),
            .confidence(plan.gate.confidence), .minSamples(plan.gate.minSamples),
            .openSeconds(plan.breaker.openSeconds), .halfOpenProbes(plan.breaker.halfOpenProbes),
            .sampleRate(plan.sampleRate), .writeMode(configuration.writer.mode), .window(plan.gate.window),
        ]
        if !plan.compare.ignore.isEmpty { out.append(.compareIgnore(plan.compare.ignore.map(\.description))) }
        if !plan.compare.unordered.isEmpty { out.append(.compareUnordered(plan.compare.unordered.map(\.description))) }
        if !plan.redact.isEmpty { out.append(.redact(plan.redact.map(\.description))) }
        return out
    }
}
