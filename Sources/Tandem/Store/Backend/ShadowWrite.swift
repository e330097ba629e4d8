/// The shadow side of a write whose primary side has committed: the operation and the seq and time stamped into the
/// primary, which the shadow row must carry too.
public struct ShadowWrite: Sendable, Equatable {
    /// The operation (for a put, only its `shadow` bytes are written).
    public var op: DualWriteOp
    /// The primary commit's receipt.
    public var receipt: WriteReceipt

    /// Creates a shadow write.
    public init(op: DualWriteOp, receipt: WriteReceipt) {
        self.op = op
        self.receipt = receipt
    }

    /// The shadow row this write leaves: `nil` for a delete.
    public var record: StoredRecord? {
        switch op {
        case .put(let key, _, let shadow):
            return StoredRecord(key: key, payload: shadow, seq: receipt.seq, writtenAt: receipt.writtenAt)
        case .delete:
            return nil
        }
    }
}
