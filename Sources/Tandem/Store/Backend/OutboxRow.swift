/// Names one outbox row: a key and the seq of the write it carries (a later write of the key replaces the row).
public struct OutboxRow: Sendable, Hashable {
    /// The record key.
    public var key: String
    /// The seq of the write the row carries.
    public var seq: Int64

    /// Creates an outbox row name.
    public init(key: String, seq: Int64) {
        self.key = key
        self.seq = seq
    }
}

/// What replaying the outbox did: rows written into the shadow, and the first failure (the rows that failed stay
/// pending).
public struct OutboxReplay: Sendable {
    /// Rows whose shadow side was written (rows the shadow already held are not counted).
    public var replayed: Int
    /// The first failure, after every row that could be replayed was.
    public var firstFailure: StoreError?

    /// Creates a replay outcome.
    public init(replayed: Int = 0, firstFailure: StoreError? = nil) {
        self.replayed = replayed
        self.firstFailure = firstFailure
    }
}
