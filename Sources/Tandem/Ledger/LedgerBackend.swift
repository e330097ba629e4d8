import Foundation

/// Where a run's ledger lives (DESIGN section 10): checkpoints of the run's report, breaker transitions as they
/// happen, per-second comparison counts of each instance, and named state rows versioned for compare-and-set.
///
/// ``Ledger`` writes through it; SQLite implements it (``SQLiteLedgerBackend``), one file per run. Every failure is a
/// ``LedgerError`` naming the ledger. Calls may come from any thread.
public protocol LedgerBackend: AnyObject, Sendable {
    /// How the ledger is named in errors (a file path, a URL without its password).
    var name: String { get }

    /// Writes breaker transitions, numbered by their place in the run (1-based), in one transaction; a transition
    /// already written under the same number is replaced.
    func writeTransitions(_ transitions: [LedgerTransition]) throws(LedgerError)

    /// Writes the run's state as of `report` (its `transitions` are the run's so far, oldest first) and the
    /// transitions buffered since (`pending`), in one transaction. A failed checkpoint leaves the previous one whole.
    func writeCheckpoint(_ report: Report, pending: [LedgerTransition]) throws(LedgerError)

    /// The report of the last checkpoint, plus any breaker transitions written after it (a breaker that opened then
    /// fails the report). Throws ``LedgerError/Code/noCheckpoint`` before the first checkpoint.
    func loadReport() throws(LedgerError) -> Report

    /// Sets the counts of each (instance, second) bucket by assignment: writing the same bucket again replaces it, so
    /// a retried write never counts twice.
    func recordCounts(_ buckets: [LedgerBucket]) throws(LedgerError)

    /// The second the next bucket belongs to, in Unix seconds. A ledger shared by many machines answers by one clock
    /// (a PostgreSQL ledger by its server's), so that every instance's buckets line up; the default is this machine's.
    func currentSecond() throws(LedgerError) -> Int64

    /// Every instance's buckets from second `since` on (Unix seconds), oldest first.
    func buckets(since: Int64) throws(LedgerError) -> [LedgerBucket]

    /// Each instance's counts summed over the buckets from second `since` on made under `version` (nil: any); with
    /// `newest`, only over the newest whole seconds that together hold at least `newest` comparisons (every second when
    /// they hold fewer). What a fleet's window is made of; a ledger on a server sums there.
    func windowCounts(since: Int64, version: Int64?, newest: Int?) throws(LedgerError) -> [String: ComparisonCounts]

    /// The state row `name`, or nil when it was never set.
    func state(_ name: String) throws(LedgerError) -> LedgerStateRow?

    /// Sets state row `name` to `value` only if its version is still `expected` (nil: the row must not exist yet), in
    /// one transaction, with version `expected + 1` (1 for a new row). Returns whether this call won, and the row
    /// stored now: its own on success, the winner's otherwise (the loser adopts it).
    func compareAndSet(_ name: String, expected: Int64?, value: [UInt8]) throws(LedgerError)
        -> (won: Bool, row: LedgerStateRow)
}

extension LedgerBackend {
    /// This machine's clock, in Unix seconds.
    public func currentSecond() throws(LedgerError) -> Int64 {
        Int64(Date().timeIntervalSince1970.rounded(.down))
    }

    /// Sums ``buckets(since:)`` here, in this process.
    public func windowCounts(since: Int64, version: Int64?, newest: Int?) throws(LedgerError)
        -> [String: ComparisonCounts]
    {
        let buckets = try buckets(since: since).filter { version == nil || $0.breakerVersion == version }
        var chosen = buckets
        if let newest {
            // The newest whole seconds until they hold `newest` comparisons (buckets come oldest first).
            chosen = []
            var held = 0
            var index = buckets.count - 1
            while index >= 0 && held < newest {
                let second = buckets[index].second
                while index >= 0 && buckets[index].second == second {
                    chosen.append(buckets[index])
                    held += buckets[index].compared
                    index -= 1
                }
            }
        }
        var counts: [String: ComparisonCounts] = [:]
        for bucket in chosen {
            counts[bucket.instance, default: ComparisonCounts()].compared += bucket.compared
            counts[bucket.instance, default: ComparisonCounts()].mismatched += bucket.mismatched
        }
        return counts
    }
}

/// A breaker transition numbered by its place in the run (1-based).
public struct LedgerTransition: Sendable, Equatable {
    /// The transition's place in the run, from 1.
    public var seq: Int
    /// The transition as reports show it.
    public var transition: Report.Transition

    /// Creates a numbered transition.
    public init(seq: Int, transition: Report.Transition) {
        self.seq = seq
        self.transition = transition
    }
}

/// The comparisons one instance made in one second (absolute counts, set by assignment).
public struct LedgerBucket: Sendable, Hashable {
    /// The instance that made them (host:pid unless configured).
    public var instance: String
    /// The second, in Unix seconds.
    public var second: Int64
    /// Comparisons (matches and mismatches).
    public var compared: Int
    /// Mismatches among them.
    public var mismatched: Int
    /// The breaker version they were made under (its number of transitions).
    public var breakerVersion: Int64

    /// Creates a bucket.
    public init(instance: String, second: Int64, compared: Int, mismatched: Int, breakerVersion: Int64) {
        self.instance = instance
        self.second = second
        self.compared = compared
        self.mismatched = mismatched
        self.breakerVersion = breakerVersion
    }
}

/// A named state row of the ledger (the breaker's state, a rollout's), versioned for compare-and-set.
public struct LedgerStateRow: Sendable, Hashable {
    /// The row's name.
    public var name: String
    /// Its version: 1 when first set, one more at every change.
    public var version: Int64
    /// Its value, as its owner encodes it.
    public var value: [UInt8]
    /// When it was last set, in Unix milliseconds.
    public var updatedAt: Int64

    /// Creates a state row.
    public init(name: String, version: Int64, value: [UInt8], updatedAt: Int64) {
        self.name = name
        self.version = version
        self.value = value
        self.updatedAt = updatedAt
    }
}
