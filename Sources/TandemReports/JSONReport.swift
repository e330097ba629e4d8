import Foundation
import Tandem
import TandemProto

/// The JSON report of the contract (DESIGN 7): `tandem_report_version`, plan, fingerprint, totals, consistency and
/// its interval, gate, breaker, field groups, sampled mismatches and cohorts, in a stable key order. Extra keys
/// (`source`, `started_at`, `finished_at`, `timeline`, `settings`, `legacy_unknown_fields`...) follow the contract's
/// keys.
public enum JSONReport {
    /// The report as a JSON value.
    public static func value(_ report: Report) -> JSONValue {
        let totals = report.totals
        var object: [JSONValue.Member] = [
            member("tandem_report_version", .integer(report.version)),
            member("plan", .string(report.plan)),
            member("plan_fingerprint", .string(report.planFingerprint)),
            member(
                "totals",
                .object([
                    member("writes", .integer(totals.writes)), member("reads", .integer(totals.reads)),
                    member("deletes", .integer(totals.deletes)), member("compared", .integer(totals.compared)),
                    member("matched", .integer(totals.matched)), member("mismatched", .integer(totals.mismatched)),
                    member("in_flight", .integer(totals.inFlight)), member("shed", .integer(totals.shed)),
                    member("bad_lines", .integer(totals.badLines)), member("repaired", .integer(totals.repaired)),
                    member("unknown_fields", .integer(totals.unknownFields)),
                ])),
            member("consistency", number(report.consistency)),
            member(
                "consistency_interval",
                .object([
                    member("low", number(report.interval.low)), member("high", number(report.interval.high)),
                    member("confidence", number(report.interval.confidence)),
                ])),
            member(
                "gate",
                .object([
                    member("min_consistency", number(report.gate.minConsistency)),
                    member("min_samples", .integer(report.gate.minSamples)),
                    member("passed", .bool(report.gate.passed)), member("confident", .bool(report.gate.confident)),
                    member("inconclusive", .bool(report.gate.inconclusive)),
                    member("reason", .string(report.gate.reason)),
                ])),
            member(
                "breaker",
                .object([
                    member("state", .string(report.breakerState.rawValue)),
                    member(
                        "transitions",
                        .array(
                            report.transitions.map { transition in
                                .object([
                                    member("at", .string(timestamp(transition.at))),
                                    member("from", .string(transition.from.rawValue)),
                                    member("to", .string(transition.to.rawValue)),
                                    member("mismatch_rate", number(transition.mismatchRate)),
                                    member("samples", .integer(transition.samples)),
                                ])
                            })),
                    member("flaps", .integer(report.breakerFlaps)),
                ])),
            member(
                "fields",
                .array(
                    report.fields.map { group in
                        .object([
                            member("path", .string(group.path)), member("kind", .string(group.kind.rawValue)),
                            member("count", .integer(group.count)),
                        ])
                    })),
            member(
                "mismatches",
                .array(
                    report.mismatches.map { mismatch in
                        .object([
                            member("key", .string(mismatch.key)), member("diffs", .array(mismatch.diffs.map(diff))),
                        ])
                    })),
            member(
                "cohorts",
                .object(
                    report.cohorts.keys.sorted().map { name in
                        let cohort = report.cohorts[name] ?? Report.Cohort(compared: 0, mismatched: 0)
                        return member(
                            name,
                            .object([
                                member("compared", .integer(cohort.compared)),
                                member("mismatched", .integer(cohort.mismatched)),
                            ]))
                    })),
        ]
        object.append(member("source", .string(report.source.rawValue)))
        object.append(member("started_at", .string(timestamp(report.startedAt))))
        object.append(member("finished_at", .string(timestamp(report.finishedAt))))
        object.append(
            member(
                "timeline",
                .array(
                    report.timeline.map { point in
                        .object([
                            member("at", .string(timestamp(point.at))), member("compared", .integer(point.compared)),
                            member("mismatched", .integer(point.mismatched)),
                        ])
                    })))
        object.append(member("settings", .object(report.settings.map { member($0.key, .string($0.value)) })))
        object.append(member("mismatches_truncated", .bool(report.mismatchesTruncated)))
        object.append(member("keys_redacted", .bool(report.keysRedacted)))
        if let sampling = report.sampling, let effectiveRate = report.effectiveSampleRate {
            object.append(
                member(
                    "sampling",
                    .object([
                        member("sample_rate", number(sampling.rate)),
                        member("effective_sample_rate", number(effectiveRate)),
                        member("budget_offered", .integer(sampling.budgetOffered)),
                        member("budget_skipped", .integer(sampling.budgetSkipped)),
                    ])))
        }
        if let fields = report.legacyUnknownFields {
            object.append(
                member(
                    "legacy_unknown_fields",
                    .array(
                        fields.map { field in
                            .object([
                                member("path", .string(field.path)), member("number", .integer(Int(field.number))),
                                member("count", .integer(field.count)),
                            ])
                        })))
        }
        if let job = report.job { object.append(member("job", jobValue(job))) }
        if let rollout = report.rollout { object.append(member("rollout", rolloutValue(rollout))) }
        return .object(object)
    }

    /// The rollout (`rollout`, DESIGN 12): where it stands and every decision with its evidence.
    package static func rolloutValue(_ rollout: RolloutStatus) -> JSONValue {
        .object([
            member("stage", .string(rollout.step.stage.rawValue)),
            member("canary_percent", .integer(rollout.step.canaryPercent)), member("halted", .bool(rollout.halted)),
            member("paused", .bool(rollout.paused)), member("finished", .bool(rollout.finished)),
            member(
                "steps",
                .array(
                    rollout.decisions.map { decision in
                        .object([
                            member("at", .string(timestamp(decision.at))),
                            member("stage", .string(decision.step.stage.rawValue)),
                            member("canary_percent", .integer(decision.step.canaryPercent)),
                            member("reason", .string(decision.reason.rawValue)),
                            member("consistency", number(decision.consistency)),
                            member("samples", .integer(decision.samples)),
                        ])
                    })),
        ])
    }

    /// A backfill or repair run (`job`): its counts and listed keys.
    static func jobValue(_ job: Report.Job) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
        return .object([
            member("kind", .string(job.kind.rawValue)), member("direction", optional(job.direction?.rawValue)),
            member("dry_run", .bool(job.dryRun)), member("complete", .bool(job.complete)),
            member("resumed", .bool(job.resumed)), member("scanned", .integer(job.scanned)),
            member("written", .integer(job.written)), member("unchanged", .integer(job.unchanged)),
            member("raced", .integer(job.raced)), member("tombstoned", .integer(job.tombstoned)),
            member("failed", .integer(job.failed)), member("missing_in_primary", .integer(job.missingInPrimary)),
            member("absent", .integer(job.absent)), member("entries_omitted", .integer(job.entriesOmitted)),
            member(
                "keys",
                .array(
                    job.entries.map { entry in
                        .object([
                            member("key", .string(entry.key)), member("action", .string(entry.action.rawValue)),
                            member("reason", optional(entry.reason)), member("old_hash", optional(entry.oldHash)),
                            member("new_hash", optional(entry.newHash)), member("at", .string(timestamp(entry.at))),
                        ])
                    })),
        ])
    }

    /// The report as pretty-printed JSON text, ending with a newline.
    public static func render(_ report: Report) -> String {
        value(report).jsonString(options: JSONWritingOptions(pretty: true)) + "\n"
    }

    static func diff(_ diff: Report.Diff) -> JSONValue {
        var members = [
            member("path", .string(diff.path)), member("kind", .string(diff.kind.rawValue)),
            member("v1", diff.v1 ?? .null), member("v2", diff.v2 ?? .null),
        ]
        if let detail = diff.detail { members.append(member("detail", .string(detail))) }
        return .object(members)
    }

    static func member(_ key: String, _ value: JSONValue) -> JSONValue.Member {
        JSONValue.Member(key, value)
    }

    /// A finite number, or its proto3 JSON string form ("NaN", "Infinity").
    static func number(_ value: Double) -> JSONValue {
        if let finite = JSONValue.double(value) { return finite }
        return .string(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
    }

    /// RFC 3339 with milliseconds, UTC.
    package static func timestamp(_ date: Date) -> String {
        RFC3339.format(date)
    }
}
