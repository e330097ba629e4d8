/// The primary and shadow rows for one key (either may be missing).
public struct RecordPair: Sendable, Equatable {
    /// The key both rows are stored under.
    public var key: String
    /// The row in the primary (v2) store.
    public var primary: StoredRecord?
    /// The row in the shadow (v1) store.
    public var shadow: StoredRecord?

    /// Creates a pair value.
    public init(key: String, primary: StoredRecord?, shadow: StoredRecord?) {
        self.key = key
        self.primary = primary
        self.shadow = shadow
    }

    /// True when both rows carry the same write (same `seq`), or neither store has the key.
    public var sameWrite: Bool {
        switch (primary, shadow) {
        case (nil, nil): return true
        case (let p?, let s?): return p.seq == s.seq
        default: return false
        }
    }
}
