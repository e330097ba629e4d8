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
        if side == .shadow, let relay {
            try RecordKey.validate(key, path: primaryPath)
            if let queued = relay.queued(key) { return queued }
        }
        return try backend.read(key, from: side)
    }

    /// The primary and shadow rows for `key`.
    ///
    /// In atomic mode both are read in one read transaction, so they are from the same moment. In outbox
    /// mode the two stores cannot share a snapshot; the read is ordered with this writer's own writes (never
    /// between a write's primary and shadow steps: deferred shadow writes are written first), but another
    /// process's write may fall between the reads.
    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: primaryPath)
        return try writers.withLock { () throws(StoreError) -> RecordPair in
            relay?.wait()
            return try backend.readPair(key)
        }
    }

    /// Up to `limit` pairs with keys after `after` (from the start when nil), in key order (byte-wise
    /// UTF-8), merging both stores: a key present in either store appears once.
    ///
    /// Reads at most `limit` rows from each store, so memory stays flat however large the stores are.
    public func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryPath, message: "page limit \(limit) must be positive")
        }
        return try writers.withLock { () throws(StoreError) -> [RecordPair] in
            relay?.wait()
            return try backend.pairs(after: after, limit: limit)
        }
    }

    /// A cursor over every pair in key order, `pageSize` keys at a time.
    public func pairCursor(after: String? = nil, pageSize: Int = 512) -> RecordPairCursor {
        RecordPairCursor(writer: self, after: after, pageSize: pageSize)
    }

    /// Row counts of both stores.
    public func counts() throws(StoreError) -> (primary: Int, shadow: Int) {
        try writers.withLock { () throws(StoreError) -> (primary: Int, shadow: Int) in
            relay?.wait()
            return try backend.counts()
        }
    }
}
