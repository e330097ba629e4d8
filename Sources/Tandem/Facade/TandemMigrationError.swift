import TandemProto

/// A ``TandemMigration`` could not be opened, or a write or read through it failed: what, for which key, and why.
public struct TandemMigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The plan directory could not be loaded (see ``TandemMigrationError/underlying``).
        public static let plan = Code(rawValue: "plan")
        /// The generated message types are not the plan's v2 or v1 messages.
        public static let schemaMismatch = Code(rawValue: "schemaMismatch")
        /// A setting is out of range (the canary share, the queue capacity).
        public static let configuration = Code(rawValue: "configuration")
        /// A store could not be opened.
        public static let store = Code(rawValue: "store")
        /// A message could not be serialized.
        public static let encoding = Code(rawValue: "encoding")
        /// The dual write was refused or failed; nothing was acknowledged (see ``TandemMigrationError/engineError``).
        public static let write = Code(rawValue: "write")
        /// The authoritative store could not be read.
        public static let read = Code(rawValue: "read")
        /// The stored record does not decode as the generated message type of its store.
        public static let undecodableRecord = Code(rawValue: "undecodableRecord")
        /// ``TandemMigration/run()`` was called while it was already running, or after it finished.
        public static let alreadyRunning = Code(rawValue: "alreadyRunning")
    }

    /// What went wrong.
    public let code: Code
    /// The record key, when known.
    public let key: String?
    /// What to fix, in words.
    public let reason: String
    /// The engine's error, for ``Code/write``, ``Code/read`` and ``Code/store``.
    public let engineError: EngineError?
    /// The error underneath, when another library raised it (the plan loader, swift-protobuf).
    public let underlying: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code, key: String? = nil, reason: String, engineError: EngineError? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.key = key
        self.reason = reason
        self.engineError = engineError
        self.underlying = underlying
    }

    public var description: String {
        if let key { return "\(code.rawValue): key \"\(key)\": \(reason)" }
        return "\(code.rawValue): \(reason)"
    }
}
