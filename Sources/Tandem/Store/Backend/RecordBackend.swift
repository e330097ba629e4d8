/// The storage seam of a migration: exactly the operations on a primary (v2) and shadow (v1) record table that the
/// dual writer, the comparator, verify, backfill and repair need (DESIGN section 10).
///
/// A backend owns its connections and transactions; ``DualWriter`` owns the order of writes. The writer calls
/// ``commitPrimary(_:settling:isolateRows:)`` at most ``concurrentCommits`` at a time, on groups that share no key;
/// ``clearOutbox(_:)`` and ``replayOutbox()`` never beside a commit; ``applyShadow(_:)`` beside a commit, and beside
/// another ``applyShadow(_:)`` when commits run side by side. Reads and ``conditionalWrite(_:)`` may come from any
/// thread at any time. Every failure is a ``StoreError`` naming the store (``primaryName`` or ``shadowName``) and the
/// key.
///
/// SQLite implements it (``SQLiteRecordBackend``); a conforming type must pass the backend contract tests.
public protocol RecordBackend: AnyObject, Sendable {
    /// How the primary store is named in errors and reports (a file path, a URL without its password).
    var primaryName: String { get }
    /// How the shadow store is named in errors and reports.
    var shadowName: String { get }
    /// The write mode: `atomic` commits both rows in one transaction; `outbox` commits the primary row with an
    /// outbox row, and the shadow row follows through ``applyShadow(_:)``.
    var mode: DualWriteMode { get }

    // MARK: Writing (ordered by the writer)

    /// How many ``commitPrimary(_:settling:isolateRows:)`` calls the backend runs side by side (each on a connection
    /// of its own), so that one group's round trip and flush overlap the next group's. 1 (the default) serializes
    /// them.
    var concurrentCommits: Int { get }

    /// Commits the primary side of `ops` in one transaction, in order, stamping each key's next seq (one more than
    /// its primary row, outbox row and tombstone), with each write's outbox row (outbox mode) or its shadow row
    /// (atomic mode); first removes the outbox rows in `settling` whose shadow write is done (a row that cannot be
    /// removed stays pending, which is harmless).
    ///
    /// - Parameters:
    ///   - ops: The writes and deletes, in order.
    ///   - settling: Outbox rows whose shadow write is done, to remove in the same transaction.
    ///   - isolateRows: A failing operation fails alone (its own outcome) instead of the whole batch.
    /// - Returns: One outcome per operation; `.failure` as a whole when the transaction did not commit at all.
    func commitPrimary(_ ops: ArraySlice<DualWriteOp>, settling: [OutboxRow], isolateRows: Bool)
        -> Result<[Result<WriteReceipt, StoreError>], StoreError>

    /// Writes the shadow side of committed primary writes (outbox mode) in one transaction, with the seq and time of
    /// their receipts; a failing row fails alone. Returns the failures by position in `writes`. A backend may remove
    /// the written rows' outbox rows in the same transaction (only rows still carrying the written seq); the writer
    /// still hands them over as settled, and removing a row that is gone changes nothing.
    func applyShadow(_ writes: [ShadowWrite]) -> [Int: StoreError]

    /// Removes the outbox rows of shadow writes that are done, in a transaction of its own (only rows whose seq is
    /// still the given one: a later write's row stays). A failure leaves them pending, which is harmless.
    func clearOutbox(_ rows: [OutboxRow])

    /// Replays every pending outbox row into the shadow, in key order, page by page; a row the shadow already holds
    /// is only removed. Returns how many rows were written, and the first failure after replaying every row it could.
    func replayOutbox() -> OutboxReplay

    // MARK: Conditional writes (any time, beside the writer)

    /// Writes each row only if its condition still holds (backfill and repair): a row written under a seq it did not
    /// expect never reverts a newer write. The writes to one store commit in one transaction, each checked and
    /// written on its own (one failing condition does not stop the others).
    ///
    /// - Returns: One outcome per write, in order.
    func conditionalWrite(_ writes: [ConditionalWrite]) throws(StoreError) -> [ConditionalWriteOutcome]

    // MARK: Reading

    /// The row of `key` in one store, as committed.
    func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord?
    /// Both rows of `key`: from one snapshot where the backend can (atomic mode), else primary first, then shadow.
    func readPair(_ key: String) throws(StoreError) -> RecordPair
    /// Up to `limit` pairs with keys after `after` (from the start when nil), in byte-wise UTF-8 key order, merging
    /// both stores (a key in either store appears once). Reads at most `limit` rows from each store.
    func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair]
    /// Row counts of both stores.
    func counts() throws(StoreError) -> (primary: Int, shadow: Int)
    /// Pending outbox rows after `after`, in key order, as the shadow writes that would replay them.
    func pendingOutbox(after: String?, limit: Int) throws(StoreError) -> [ShadowWrite]
    /// The number of pending outbox rows.
    func pendingOutboxCount() throws(StoreError) -> Int
    /// Checks that both stores hold the documented table layout (or none yet); throws
    /// ``StoreError/Code/schemaMismatch`` naming the store and the columns found.
    func checkLayout() throws(StoreError)
    /// A reader with connections of its own, for comparisons: they never wait for the writer, and the service's
    /// reads never wait for them. A backend whose readers would block commits returns a reader over itself.
    func makeReader() throws(StoreError) -> any RecordReader
}

extension RecordBackend {
    /// One commit at a time.
    public var concurrentCommits: Int { 1 }

    /// Writes one row only if its condition still holds, in one transaction (see ``conditionalWrite(_:)-([ConditionalWrite])``).
    public func conditionalWrite(_ write: ConditionalWrite) throws(StoreError) -> ConditionalWriteOutcome {
        try conditionalWrite([write]).first ?? .conflict(current: nil)
    }
}

/// Reads rows of both stores for comparisons, apart from the writer (see ``RecordBackend/makeReader()``).
public protocol RecordReader: Sendable {
    /// The row of `key` in one store, as committed.
    func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord?
    /// Both rows of `key`, as committed.
    func readPair(_ key: String) throws(StoreError) -> RecordPair
    /// The rows of `keys` in one store, in order (`nil`: no row), as committed; a backend that can reads them at once
    /// (the comparator reads a batch of queued comparisons' other rows through it).
    func read(_ keys: [String], from side: DualWriter.Side) throws(StoreError) -> [StoredRecord?]
}

extension RecordReader {
    /// The rows of `keys` in one store, read one at a time (a reader without a batched read).
    public func read(_ keys: [String], from side: DualWriter.Side) throws(StoreError) -> [StoredRecord?] {
        try keys.map { (key) throws(StoreError) in try read(key, from: side) }
    }
}
