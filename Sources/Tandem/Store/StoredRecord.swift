/// One row of a store's `tandem_records` table.
public struct StoredRecord: Sendable, Equatable {
    /// The record's key (1 to 1024 UTF-8 bytes).
    public var key: String
    /// The encoded record, exactly as written.
    public var payload: [UInt8]
    /// The per-key write sequence number; the same write carries the same `seq` in both stores.
    public var seq: Int64
    /// When the row was written, in Unix milliseconds.
    public var writtenAt: Int64

    /// Creates a record value.
    public init(key: String, payload: [UInt8], seq: Int64, writtenAt: Int64) {
        self.key = key
        self.payload = payload
        self.seq = seq
        self.writtenAt = writtenAt
    }
}
