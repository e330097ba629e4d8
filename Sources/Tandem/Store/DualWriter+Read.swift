extension DualWriter {
    /// Which of the two stores.
    public enum Side: String, Sendable, Hashable {
        /// The v2 primary store.
        case primary
        /// The v1 shadow store.
        case shadow
    }

    /// The row of `key` in one store: what a service's read path needs, without touching the other store.
    ///
    /// A shadow row this writer has committed to the primary and queued for the shadow
    /// (``ShadowWriteTiming/deferred``) is answered from the queue, so a caller reads its own writes.
    public func read(_ key: String, from side: Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: primaryPath)
        if side == .shadow && configuration.mode == .outbox {
            if let queued = queuedShadow(key) { return queued }
            return try readShadowConnection(key: key) { shadow throws(SQLiteError) in try shadow.record(key: key) }
        }
        let path = side == .primary ? primaryPath : shadowPath
        return try connections.withLock { (connections) throws(StoreError) -> StoredRecord? in
            // Atomic mode reads the shadow through the primary connection, where it is attached.
            try StoreError.mapping(key: key, fallback: .readFailed, path: path) { () throws(SQLiteError) in
                try connections.primary.record(key: key, in: side == .primary ? .main : .shadow)
            }
        }
    }
}
