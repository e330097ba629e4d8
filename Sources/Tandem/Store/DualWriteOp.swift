/// One write for ``DualWriter``: the caller supplies both encodings.
public enum DualWriteOp: Sendable, Equatable {
    /// Store `primary` (v2 bytes) in the primary store and `shadow` (v1 bytes) in the shadow store.
    case put(key: String, primary: [UInt8], shadow: [UInt8])
    /// Remove `key` from both stores.
    case delete(key: String)

    /// The key the operation is about.
    public var key: String {
        switch self {
        case .put(let key, _, _), .delete(let key): return key
        }
    }
}
