/// What a successful dual write stored: the same `seq` and `writtenAt` are in both stores.
public struct WriteReceipt: Sendable, Equatable {
    /// The key written.
    public var key: String
    /// The per-key sequence number stamped into both rows.
    public var seq: Int64
    /// The write time stamped into both rows, in Unix milliseconds.
    public var writtenAt: Int64
    /// True when the operation was a delete.
    public var deleted: Bool

    /// Creates a receipt value.
    public init(key: String, seq: Int64, writtenAt: Int64, deleted: Bool) {
        self.key = key
        self.seq = seq
        self.writtenAt = writtenAt
        self.deleted = deleted
    }
}
