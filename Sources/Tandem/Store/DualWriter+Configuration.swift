extension DualWriter {
    /// How a ``DualWriter`` opens its two files and groups writes.
    public struct Configuration: Sendable {
        /// The write mode; see ``DualWriteMode``.
        public var mode: DualWriteMode
        /// `synchronous=FULL`: commits survive power loss, not only a killed process (`NORMAL`).
        public var durable: Bool
        /// The most writes grouped into one transaction by ``DualWriter/write(key:primary:shadow:)``.
        public var maxBatch: Int
        /// How long the first write of a group waits for company before committing. Zero still groups:
        /// writes that arrive while a transaction commits form the next group. Over a backend that commits several
        /// groups at once, how long writes below a group's share wait while no group commits (zero: 200 us).
        public var maxBatchWait: Duration
        /// How long to wait for another connection's lock before failing with ``StoreError/Code/locked``.
        public var busyTimeout: Duration
        /// Outbox mode: whether ``DualWriter/write(key:primary:shadow:)`` returns at the primary commit, its shadow
        /// row written right after by the writer's relay (``ShadowWriteTiming/deferred``, the default), or once
        /// both stores hold the row (``ShadowWriteTiming/inline``).
        public var shadowWrites: ShadowWriteTiming
        /// Deferred shadow writes: how long the relay lets writes gather before it writes them in one shadow
        /// transaction (a full ``maxBatch`` goes at once; zero writes each group as soon as it is queued). Reads
        /// through the writer and comparisons never see this delay; other processes reading the shadow file do.
        public var shadowWriteBatchWait: Duration
        /// Whether opening takes the stores' writer locks, so that no other process writes them through a group commit
        /// and an outbox relay at the same time (a second such writer is refused with ``StoreError/Code/locked``).
        /// Verify, backfill and repair open with `false`: they write only conditionally and run beside a writer.
        public var exclusive: Bool
        /// Called, off the caller's thread, for every deferred shadow write that failed after its primary commit
        /// (code ``StoreError/Code/shadowPending``; its outbox row stays pending for ``DualWriter/repair()``).
        public var onShadowWriteFailure: (@Sendable (StoreError) -> Void)?

        /// Creates a configuration; every parameter has a default.
        public init(
            mode: DualWriteMode = .outbox, durable: Bool = false, maxBatch: Int = 256,
            maxBatchWait: Duration = .zero, busyTimeout: Duration = .seconds(5),
            shadowWrites: ShadowWriteTiming = .deferred, shadowWriteBatchWait: Duration = .milliseconds(1),
            onShadowWriteFailure: (@Sendable (StoreError) -> Void)? = nil, exclusive: Bool = true
        ) {
            self.exclusive = exclusive
            self.mode = mode
            self.durable = durable
            self.maxBatch = maxBatch
            self.maxBatchWait = maxBatchWait
            self.busyTimeout = busyTimeout
            self.shadowWrites = shadowWrites
            self.shadowWriteBatchWait = shadowWriteBatchWait
            self.onShadowWriteFailure = onShadowWriteFailure
        }
    }
}
