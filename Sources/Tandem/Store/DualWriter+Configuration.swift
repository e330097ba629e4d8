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
        /// writes that arrive while a transaction commits form the next group.
        public var maxBatchWait: Duration
        /// How long to wait for another connection's lock before failing with ``StoreError/Code/locked``.
        public var busyTimeout: Duration

        /// Creates a configuration; every parameter has a default.
        public init(
            mode: DualWriteMode = .outbox, durable: Bool = false, maxBatch: Int = 256,
            maxBatchWait: Duration = .zero, busyTimeout: Duration = .seconds(5)
        ) {
            self.mode = mode
            self.durable = durable
            self.maxBatch = maxBatch
            self.maxBatchWait = maxBatchWait
            self.busyTimeout = busyTimeout
        }
    }
}
