import TandemProto

/// A write or comparison failed: the payload, the key or a store was at fault, with the key and the reason.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The v2 payload does not decode with the v2 schema: nothing was written.
        case undecodablePrimary
        /// No key was given and the plan's `key` path yields none in the record.
        case missingKey
        /// The key is empty or longer than 1024 UTF-8 bytes: nothing was written.
        case invalidKey
        /// A store operation failed (see ``storeError``).
        case store
    }

    /// What went wrong.
    public let code: Code
    /// The record key, when known.
    public let key: String?
    /// A human-readable reason.
    public let reason: String
    /// The underlying store error, for ``Code/store``.
    public let storeError: StoreError?

    /// Creates an engine error.
    public init(_ code: Code, key: String?, reason: String, storeError: StoreError? = nil) {
        self.code = code
        self.key = key
        self.reason = reason
        self.storeError = storeError
    }

    /// Wraps a store error.
    public init(_ error: StoreError, key: String? = nil) {
        self.init(.store, key: key ?? error.key, reason: error.description, storeError: error)
    }

    public var description: String {
        if let key { return "key \"\(key)\": \(reason)" }
        return reason
    }
}
