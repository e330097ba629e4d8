/// A write of one row that happens only while the row is as its writer last saw it (DESIGN sections 10 and 11):
/// backfill puts rows that are absent, repair replaces rows whose seq is unchanged since it compared them.
public struct ConditionalWrite: Sendable, Equatable {
    /// What must hold for the write to happen.
    public enum Condition: Sendable, Equatable {
        /// The store has no row for the key (and, on the primary side, the key was never deleted: a tombstone is
        /// never brought back).
        case absent
        /// The store's row for the key carries this seq.
        case seq(Int64)
    }

    /// The store written.
    public var side: DualWriter.Side
    /// The row to write, with the seq it must carry (the partner row's, so that the pair compares as one write).
    public var record: StoredRecord
    /// The condition checked in the same transaction as the write.
    public var condition: Condition
    /// The seq the other store's row must still carry (nil: the other store is not checked). Checked while the
    /// written store is locked, so a dual write of the key that commits after the check also lands after this write
    /// and supersedes it: a backfilled or repaired row never outlives a newer write or a deletion of its partner. A
    /// shadow write is also refused while the key's own shadow write waits in the outbox (it must land first: writing
    /// over its absence would hide, say, the legacy payload it carries).
    public var partnerSeq: Int64?

    /// Creates a conditional write.
    public init(side: DualWriter.Side, record: StoredRecord, condition: Condition, partnerSeq: Int64? = nil) {
        self.side = side
        self.record = record
        self.condition = condition
        self.partnerSeq = partnerSeq
    }
}

/// The outcome of a ``ConditionalWrite``.
public enum ConditionalWriteOutcome: Sendable, Equatable {
    /// The row was written.
    case written
    /// The condition no longer held: nothing was written. `current` is the row found (nil: none).
    case conflict(current: StoredRecord?)
    /// The other store's row no longer carries ``ConditionalWrite/partnerSeq`` (`current`: its row now, nil when
    /// gone): nothing was written.
    case partnerChanged(current: StoredRecord?)
    /// The key has a tombstone (it was deleted): nothing was written.
    case tombstoned
}

extension ConditionalWrite {
    /// Runs the writes to each store as one batch (`write`, primary first, then shadow) and returns their outcomes in
    /// the order of `writes`: how every backend splits a mixed batch into its two transactions.
    package static func bySide(
        _ writes: [ConditionalWrite],
        _ write: ([ConditionalWrite], DualWriter.Side) throws(StoreError) -> [ConditionalWriteOutcome]
    ) throws(StoreError) -> [ConditionalWriteOutcome] {
        var outcomes = [ConditionalWriteOutcome](repeating: .conflict(current: nil), count: writes.count)
        for side in [DualWriter.Side.primary, .shadow] {
            let indices = writes.indices.filter { writes[$0].side == side }
            guard !indices.isEmpty else { continue }
            let done = try write(indices.map { writes[$0] }, side)
            for (index, outcome) in zip(indices, done) { outcomes[index] = outcome }
        }
        return outcomes
    }
}
