/// Names one outbox row: a key and the seq of the write it carries (a later write of the key replaces the row).
public struct OutboxRow: Sendable, Hashable {
    /// The record key.
    public var key: String
    /// The seq of the write the row carries.
    public var seq: Int64

    /// Creates an outbox row name.
    public init(key: String, seq: Int64) {
        self.key = key
        self.seq = seq
    }
}
