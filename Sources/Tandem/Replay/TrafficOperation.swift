import Foundation
import TandemProto

/// One line of captured traffic (DESIGN 7): a write, read or delete of a key.
public struct TrafficOperation: Sendable {
    /// What the line does.
    public enum Kind: String, Sendable, Hashable {
        /// `{"op":"write"}`: a dual write of the line's payload.
        case write
        /// `{"op":"read"}`: a read of the key, compared when it is sampled.
        case read
        /// `{"op":"delete"}`: a delete of the key from both stores.
        case delete
    }

    /// A payload as the line gives it: base64 bytes or proto3 JSON.
    public enum Payload: Sendable, Hashable {
        /// Protobuf bytes (decoded from base64).
        case bytes([UInt8])
        /// A proto3 JSON object of the message.
        case json(JSONValue)
    }

    /// What the line does.
    public var kind: Kind
    /// The record key, when the line gives one.
    public var key: String?
    /// The v2 payload of a write.
    public var v2: Payload?
    /// The legacy v1 payload of a write, when the legacy writer's output was captured.
    public var v1: Payload?
    /// The line's timestamp (`ts`), when given.
    public var timestamp: Date?
    /// The line's cohort, when given.
    public var cohort: String?
    /// The 1-based line number in the traffic file.
    public var line: Int

    /// Creates an operation.
    public init(
        kind: Kind, key: String?, v2: Payload? = nil, v1: Payload? = nil, timestamp: Date? = nil,
        cohort: String? = nil, line: Int
    ) {
        self.kind = kind
        self.key = key
        self.v2 = v2
        self.v1 = v1
        self.timestamp = timestamp
        self.cohort = cohort
        self.line = line
    }
}
