/// A ``TandemMigration`` could not be opened, or a write or read through it failed: what, for which key, and why.
public struct TandemMigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The plan directory could not be loaded (see ``TandemMigrationError/underlying``).
        case plan
        /// The generated message types are not the plan's v2 or v1 messages.
        case schemaMismatch
        /// A setting is out of range (the canary share, the queue capacity).
        case configuration
        /// A store could not be opened.
        case store
        /// A message could not be serialized.
        case encoding
        /// The dual write was refused or failed; nothing was acknowledged (see ``TandemMigrationError/engineError``).
        case write
        /// The authoritative store could not be read.
        case read
        /// The stored record does not decode as the generated message type of its store.
        case undecodableRecord
        /// ``TandemMigration/run()`` was called while it was already running, or after it finished.
        case alreadyRunning
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
