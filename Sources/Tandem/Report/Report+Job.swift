import Foundation

extension Report {
    /// What a backfill or repair run did (DESIGN 11): its counts, whether it reached the end, and the keys it
    /// repaired or could not fill, each with its reason or payload hashes. Keys are shown as the plan allows (their
    /// salted hash when the plan redacts the key field).
    public struct Job: Sendable, Codable, Hashable {
        /// Which job ran.
        public enum Kind: String, Sendable, Codable, Hashable {
            /// `tandem backfill`.
            case backfill
            /// `tandem repair`.
            case repair
        }

        /// Which job ran.
        public var kind: Kind
        /// The backfill's direction (`v2-to-v1`, `v1-to-v2`); nil for repair.
        public var direction: Backfiller.Direction?
        /// Whether nothing was written (`--dry-run`): `written` counts what would have been.
        public var dryRun: Bool
        /// Whether the run reached the end of its keys.
        public var complete: Bool
        /// Whether a backfill started where an earlier run on the same ledger stopped.
        public var resumed: Bool
        /// Keys looked at.
        public var scanned: Int
        /// Rows written (filled or repaired).
        public var written: Int
        /// Keys that needed nothing: both rows present (backfill), or the pair compares equal (repair).
        public var unchanged: Int
        /// Keys a live writer changed between the read and the conditional write: left as that writer wrote them.
        public var raced: Int
        /// Deleted keys (tombstones) that were not brought back.
        public var tombstoned: Int
        /// Records that could not be built or checked (backfill), or keys whose repair would not make them equal.
        public var failed: Int
        /// Repair: keys only the shadow holds (`record_missing_in_primary`), listed and not touched.
        public var missingInPrimary: Int
        /// Repair: keys named that neither store holds.
        public var absent: Int
        /// Notable keys, in the order they were met: every repair and every failure.
        public var entries: [JobEntry]
        /// Entries not kept because the list reached its limit (they are still counted).
        public var entriesOmitted: Int

        /// Creates an empty job record.
        public init(kind: Kind, direction: Backfiller.Direction? = nil, dryRun: Bool = false) {
            self.kind = kind
            self.direction = direction
            self.dryRun = dryRun
            complete = false
            resumed = false
            scanned = 0
            written = 0
            unchanged = 0
            raced = 0
            tombstoned = 0
            failed = 0
            missingInPrimary = 0
            absent = 0
            entries = []
            entriesOmitted = 0
        }

        /// Keys the run could not fill or repair: what makes it exit 1.
        public var unresolved: Int { failed + missingInPrimary }

        /// Lists `entry`, or only counts it once `limit` entries are listed.
        mutating func list(_ entry: JobEntry, limit: Int) {
            if entries.count < limit { entries.append(entry) } else { entriesOmitted += 1 }
        }
    }

    /// One key a backfill or repair run reports.
    public struct JobEntry: Sendable, Codable, Hashable {
        /// What happened to the key.
        public enum Action: String, Sendable, Codable, Hashable {
            /// The shadow row was rewritten from the primary's projection.
            case repaired
            /// `--dry-run`: the shadow row would have been rewritten.
            case wouldRepair = "would_repair"
            /// The record could not be built, or did not check (backfill).
            case unfillable
            /// The repair would not make the pair equal (repair).
            case unrepairable
            /// Only the shadow holds the key; it was not touched (repair).
            case missingInPrimary = "missing_in_primary"
        }

        /// The key, as the plan allows it to be shown.
        public var key: String
        /// What happened.
        public var action: Action
        /// Why, for failures (names the v1 path and the value's problem).
        public var reason: String?
        /// SHA-256 (hex) of the shadow payload before a repair; nil when there was no row.
        public var oldHash: String?
        /// SHA-256 (hex) of the shadow payload a repair wrote.
        public var newHash: String?
        /// When it happened.
        public var at: Date

        /// Creates an entry.
        public init(
            key: String, action: Action, reason: String? = nil, oldHash: String? = nil, newHash: String? = nil,
            at: Date
        ) {
            self.key = key
            self.action = action
            self.reason = reason
            self.oldHash = oldHash
            self.newHash = newHash
            self.at = at
        }
    }
}
