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
