extension DualWriter {
    /// Which of the two stores.
    public enum Side: String, Sendable, Hashable {
        /// The v2 primary store.
        case primary
        /// The v1 shadow store.
        case shadow
    }

    /// The row of `key` in one store: what a service's read path needs, without touching the other store.
    public func read(_ key: String, from side: Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: primaryPath)
        let path = side == .primary ? primaryPath : shadowPath
        return try connections.withLock { (connections) throws(StoreError) -> StoredRecord? in
            do throws(SQLiteError) {
                switch side {
                case .primary:
                    return try connections.primary.record(key: key)
                case .shadow:
                    if let shadow = connections.shadow { return try shadow.record(key: key) }
                    // Atomic mode: the shadow is attached to the primary connection.
                    return try connections.primary.record(key: key, in: .shadow)
                }
            } catch {
                throw StoreError(error, key: key, fallback: .readFailed, path: path)
            }
        }
    }
}
