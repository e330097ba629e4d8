/// When an outbox-mode ``DualWriter/write(key:primary:shadow:)`` returns, relative to its shadow write.
///
/// Either way the primary row and its outbox row commit in one transaction before the call returns, so a write the
/// caller saw succeed is never missing from the primary and never silently missing from the shadow (DESIGN section
/// 5). Batch writes (``DualWriter/apply(_:)``, ``DualWriter/applyEach(_:)``) and atomic mode are always inline.
public enum ShadowWriteTiming: String, Sendable, CaseIterable {
    /// The call returns at the primary commit. The writer's relay writes the shadow rows right after, on a thread of
    /// its own, as many rows per transaction as are queued, and then removes their outbox rows. Reads through the
    /// writer (``DualWriter/read(_:from:)``, ``DualWriter/readPair(_:)``) see a queued shadow row at once, so a
    /// service reading its legacy store reads its own writes. A shadow write that fails leaves its outbox row
    /// pending (replayed by ``DualWriter/repair()`` or the next open) and is reported to
    /// ``DualWriter/Configuration/onShadowWriteFailure``.
    case deferred
    /// The call returns once both stores hold the row; a shadow write that fails is the caller's error,
    /// ``StoreError/Code/shadowPending``, with the outbox row left pending as above.
    case inline
}
