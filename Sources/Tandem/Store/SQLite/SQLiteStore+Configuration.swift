extension SQLiteStore {
    /// How an ``SQLiteStore`` opens its file.
    public struct Configuration: Sendable {
        /// Open without write access: reads work, every write fails with ``StoreError/Code/readOnly``.
        public var readOnly: Bool
        /// `synchronous=FULL` (survives power loss) instead of `NORMAL` (survives a killed process).
        public var durable: Bool
        /// Write-ahead logging (true) or a rollback journal (`journal_mode=DELETE`).
        public var wal: Bool
        /// How long to wait for another connection's lock before failing with ``StoreError/Code/locked``.
        public var busyTimeout: Duration
        /// WAL mode: copy the WAL back into the file on a background thread, as ``DualWriter`` does, instead of in
        /// the commit that fills it (SQLite's default, kept here unless asked: the single store is the plain SQLite
        /// baseline the benchmarks compare against).
        public var backgroundCheckpoints: Bool
        /// Tests: a pause before each background checkpoint pass, standing in for a disk whose syncs are slow.
        var checkpointPassDelay: Duration = .zero

        /// Creates a configuration; every parameter has a default.
        public init(
            readOnly: Bool = false, durable: Bool = false, wal: Bool = true, busyTimeout: Duration = .seconds(5),
            backgroundCheckpoints: Bool = false
        ) {
            self.readOnly = readOnly
            self.durable = durable
            self.wal = wal
            self.busyTimeout = busyTimeout
            self.backgroundCheckpoints = backgroundCheckpoints
        }
    }
}
