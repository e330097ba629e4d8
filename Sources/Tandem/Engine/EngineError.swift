import TandemProto

/// A write or comparison failed: the payload, the key or a store was at fault, with the key and the reason.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The v2 payload does not decode with the v2 schema: nothing was written.
        public static let undecodablePrimary = Code(rawValue: "undecodablePrimary")
        /// No key was given and the plan's `key` path yields none in the record.
        public static let missingKey = Code(rawValue: "missingKey")
        /// The key is empty or longer than 1024 UTF-8 bytes: nothing was written.
        public static let invalidKey = Code(rawValue: "invalidKey")
        /// A store operation failed (see ``storeError``).
        public static let store = Code(rawValue: "store")
        /// The engine's settings are invalid (a gate or breaker setting out of range): nothing was opened.
        public static let configuration = Code(rawValue: "configuration")
        /// The input the engine was reading (a traffic file) could not be read further.
        public static let io = Code(rawValue: "io")
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
