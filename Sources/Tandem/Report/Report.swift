import Foundation
import TandemProto

/// Everything a run found, as every report format renders it: totals, consistency and its interval, the gate's
/// verdict, breaker transitions, mismatch groups with samples, sampled mismatching keys, cohorts, and a timeline.
///
/// Values in diffs are already rendered as proto3 JSON and already redacted.
public struct Report: Sendable, Codable, Hashable {
    /// Operation and comparison counts (the JSON report's `totals`).
    public struct Totals: Sendable, Codable, Hashable {
        /// Dual writes.
        public var writes = 0
        /// Reads served.
        public var reads = 0
        /// Deletes.
        public var deletes = 0
        /// Comparisons made.
        public var compared = 0
        /// Comparisons that found the records equal.
        public var matched = 0
        /// Comparisons that found a difference.
        public var mismatched = 0
        /// Comparisons queued and not finished when the report was taken.
        public var inFlight = 0
        /// Comparisons dropped because the comparison queue was full.
        public var shed = 0
        /// Traffic lines that could not be used.
        public var badLines = 0
        /// Shadow writes replayed from the outbox.
        public var repaired = 0
        /// Unknown fields seen in the payloads compared, and in the legacy writer's v1 payloads when written (see
        /// ``Report/legacyUnknownFields``), counted apart and never as mismatches.
        public var unknownFields = 0
        /// Creates zero totals.
        public init() {}
    }

    /// The consistency interval at the plan's confidence.
    public struct Interval: Sendable, Codable, Hashable {
        /// The lower bound of the consistency.
        public var low: Double
        /// The upper bound of the consistency.
        public var high: Double
        /// The confidence level of the interval (`0.95`).
        public var confidence: Double
        /// Creates an interval.
        public init(low: Double, high: Double, confidence: Double) {
            self.low = low
            self.high = high
            self.confidence = confidence
        }
    }

    /// The gate's settings and verdict.
    public struct Gate: Sendable, Codable, Hashable {
        /// `gate.min_consistency`: the consistency the run must reach.
        public var minConsistency: Double
        /// `gate.min_samples`: the comparisons a verdict needs.
        public var minSamples: Int
        /// At least `min_samples` comparisons, the breaker never opened, consistency at least `min_consistency`.
        public var passed: Bool
        /// The interval's upper bound on the mismatch rate is under the budget: strong enough to promote.
        public var confident: Bool
        /// Fewer than `min_samples` comparisons and the breaker never opened.
        public var inconclusive: Bool
        /// The verdict in one sentence (`passed: consistency 1.0 over 1200 comparisons`).
        public var reason: String
        /// Creates a gate verdict.
        public init(
            minConsistency: Double, minSamples: Int, passed: Bool, confident: Bool, inconclusive: Bool, reason: String
        ) {
            self.minConsistency = minConsistency
            self.minSamples = minSamples
            self.passed = passed
            self.confident = confident
            self.inconclusive = inconclusive
            self.reason = reason
        }
    }

    /// One breaker transition, as the breaker made it.
    public typealias Transition = BreakerTransition

    /// One difference in a sample.
    public struct Diff: Sendable, Hashable {
        /// The exact path (`a.b`, `tags[2]`, `$`).
        public var path: String
        /// What kind of difference.
        public var kind: FieldDiff.Kind
        /// The shadow (v1) value as proto3 JSON, when it has one.
        public var v1: JSONValue?
        /// The projected primary (v2) value as proto3 JSON, when it has one.
        public var v2: JSONValue?
        /// The decoding error of an `undecodable` diff.
        public var detail: String?
        /// Creates a diff.
        public init(path: String, kind: FieldDiff.Kind, v1: JSONValue?, v2: JSONValue?, detail: String? = nil) {
            self.path = path
            self.kind = kind
            self.v1 = v1
            self.v2 = v2
            self.detail = detail
        }
    }

    /// A mismatch group: normalised path (`[*]`), kind, count, and a few samples.
    public struct FieldGroup: Sendable, Codable, Hashable {
        /// The normalised path (`tags[*]`).
        public var path: String
        /// What kind of difference.
        public var kind: FieldDiff.Kind
        /// How many diffs fell in the group.
        public var count: Int
        /// Samples: the key and the diff at its exact path.
        public var samples: [(key: String, diff: Diff)] { zip(sampleKeys, sampleDiffs).map { ($0, $1) } }
        /// The sampled keys, in step with ``sampleDiffs``.
        public var sampleKeys: [String]
        /// The sampled diffs, in step with ``sampleKeys``.
        public var sampleDiffs: [Diff]
        /// Creates a group.
        public init(path: String, kind: FieldDiff.Kind, count: Int, sampleKeys: [String] = [], sampleDiffs: [Diff] = [])
        {
            self.path = path
            self.kind = kind
            self.count = count
            self.sampleKeys = sampleKeys
            self.sampleDiffs = sampleDiffs
        }
    }

    /// One sampled mismatching key with its diffs.
    public struct Mismatch: Sendable, Codable, Hashable {
        /// The key (its salted hash when the plan redacts the key field).
        public var key: String
        /// Every difference found for the key.
        public var diffs: [Diff]
        /// Creates a sample.
        public init(key: String, diffs: [Diff]) {
            self.key = key
            self.diffs = diffs
        }
    }

    /// Comparisons and mismatches of one cohort.
    public struct Cohort: Sendable, Codable, Hashable {
        /// Comparisons in the cohort.
        public var compared: Int
        /// Mismatches in the cohort.
        public var mismatched: Int
        /// Creates cohort counts.
        public init(compared: Int, mismatched: Int) {
            self.compared = compared
            self.mismatched = mismatched
        }
    }

    /// One point of the consistency time series (cumulative).
    public struct TimelinePoint: Sendable, Codable, Hashable {
        /// The clock time of the point (traffic time during replay).
        public var at: Date
        /// Comparisons so far.
        public var compared: Int
        /// Mismatches so far.
        public var mismatched: Int
        /// Creates a point.
        public init(at: Date, compared: Int, mismatched: Int) {
            self.at = at
            self.compared = compared
            self.mismatched = mismatched
        }
        /// Consistency so far (1 when nothing was compared).
        public var consistency: Double { compared == 0 ? 1 : Double(compared - mismatched) / Double(compared) }
    }

    /// Contract version of the JSON report.
    public var version = 1
    /// The plan's name.
    public var plan: String
    /// The plan's fingerprint (hash of its YAML and schemas).
    public var planFingerprint: String
    /// What produced the report.
    public var source: Source
    /// When the run started and finished (wall clock).
    public var startedAt: Date, finishedAt: Date
    /// Counts.
    public var totals: Totals
    /// Matched / compared over the run (1 when nothing was compared).
    public var consistency: Double
    /// The Wilson interval of `consistency`.
    public var interval: Interval
    /// The verdict.
    public var gate: Gate
    /// The breaker's final state.
    public var breakerState: BreakerState
    /// Every transition, in order.
    public var transitions: [Transition]
    /// Failed half-open probes (`half_open` -> `open`): how often the breaker flapped.
    public var breakerFlaps: Int { transitions.count { $0.from == .halfOpen && $0.to == .open } }
    /// Every mismatch group, most frequent first.
    public var fields: [FieldGroup]
    /// Sampled mismatching keys, up to `--max-samples`.
    public var mismatches: [Mismatch]
    /// Per-cohort counts.
    public var cohorts: [String: Cohort]
    /// The consistency time series.
    public var timeline: [TimelinePoint]
    /// The plan's settings the run used, in order.
    public var settings: [Setting]
    /// What a backfill or repair run did (nil for replay and verify).
    public var job: Job?
    /// Whether mismatching keys were left out of ``mismatches`` because it reached `--max-samples`.
    public var mismatchesTruncated = false
    /// Whether keys appear as salted hashes (the plan redacts its key field): a report's keys then name no record.
    public var keysRedacted = false
    /// Where the rollout stands and every decision it took (nil without a rollout controller).
    public var rollout: RolloutStatus?
    /// The sample rate and what the comparator's CPU budget skipped (`nil` in a report from a ledger written before
    /// they were recorded).
    public var sampling: Sampling?
    /// Unknown fields the legacy writer's v1 payloads carried, per field, counted when written, most frequent first
    /// (`nil` when there were none). Their total is part of ``Totals/unknownFields``.
    public var legacyUnknownFields: [LegacyUnknownField]?

    /// Creates a report.
    public init(
        plan: String, planFingerprint: String, source: Source, startedAt: Date, finishedAt: Date, totals: Totals,
        consistency: Double, interval: Interval, gate: Gate, breakerState: BreakerState, transitions: [Transition],
        fields: [FieldGroup], mismatches: [Mismatch], cohorts: [String: Cohort], timeline: [TimelinePoint],
        settings: [Setting]
    ) {
        self.plan = plan
        self.planFingerprint = planFingerprint
        self.source = source
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.totals = totals
        self.consistency = consistency
        self.interval = interval
        self.gate = gate
        self.breakerState = breakerState
        self.transitions = transitions
        self.fields = fields
        self.mismatches = mismatches
        self.cohorts = cohorts
        self.timeline = timeline
        self.settings = settings
    }
}
