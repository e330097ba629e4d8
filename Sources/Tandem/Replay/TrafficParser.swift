import Foundation
import TandemProto

/// Parses traffic lines (JSONL, DESIGN 7) into ``TrafficOperation``s; a bad line is a ``TrafficError`` naming the
/// line and the key or field at fault.
public struct TrafficParser: Sendable {
    /// The file name used in errors (`-` for standard input).
    public let file: String

    /// Creates a parser for the traffic file `file`.
    public init(file: String) {
        self.file = file
    }

    private static let keys: Set<String> = ["op", "key", "v2", "v2_json", "v1", "v1_json", "ts", "cohort"]

    /// Parses one line (without its newline).
    public func parse(_ bytes: some Collection<UInt8>, line: Int) throws(TrafficError) -> TrafficOperation {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw TrafficError(file: file, line: line, reason: "not valid JSON: \(error)")
        }
        guard let members = value.objectMembers else {
            throw TrafficError(file: file, line: line, reason: "expected a JSON object, found \(value.kindDescription)")
        }
        for member in members where !Self.keys.contains(member.key) {
            throw TrafficError(file: file, line: line, reason: "unknown key \"\(member.key)\"")
        }
        var key: String? = nil
        if let keyValue = value["key"] {
            guard let text = keyValue.stringValue, !text.isEmpty else {
                throw TrafficError(file: file, line: line, reason: "\"key\" must be a non-empty string")
            }
            guard text.utf8.count <= RecordKey.maxBytes else {
                throw TrafficError(
                    file: file, line: line, key: String(text.prefix(64)) + "...",
                    reason: "\"key\" is \(text.utf8.count) UTF-8 bytes; the limit is \(RecordKey.maxBytes)")
            }
            key = text
        }
        func fail(_ reason: String) -> TrafficError { TrafficError(file: file, line: line, key: key, reason: reason) }
        guard let opText = value["op"]?.stringValue else { throw fail("missing \"op\" (write, read or delete)") }
        guard let kind = TrafficOperation.Kind(rawValue: opText) else {
            throw fail("unknown op \"\(opText)\" (expected write, read or delete)")
        }
        func payload(_ name: String) throws(TrafficError) -> TrafficOperation.Payload? {
            let binary = value[name]
            let json = value[name + "_json"]
            if binary != nil && json != nil { throw fail("give \"\(name)\" or \"\(name)_json\", not both") }
            if let binary {
                guard let text = binary.stringValue, let bytes = ProtoJSONBase64.decode(text) else {
                    throw fail("\"\(name)\" must be base64 (standard or URL-safe) protobuf bytes")
                }
                return .bytes(bytes)
            }
            if let json {
                guard json.objectMembers != nil else { throw fail("\"\(name)_json\" must be a JSON object") }
                return .json(json)
            }
            return nil
        }
        let v2 = try payload("v2")
        let v1 = try payload("v1")
        switch kind {
        case .write:
            if v2 == nil { throw fail("a write needs \"v2\" or \"v2_json\"") }
        case .read, .delete:
            if key == nil { throw fail("a \(kind.rawValue) needs \"key\"") }
            if v2 != nil || v1 != nil { throw fail("a \(kind.rawValue) carries no payload") }
        }
        var timestamp: Date? = nil
        if let ts = value["ts"] {
            guard let text = ts.stringValue, let date = RFC3339.parse(text) else {
                throw fail("\"ts\" must be an RFC 3339 timestamp like 2026-11-27T10:15:00Z")
            }
            timestamp = date
        }
        var cohort: String? = nil
        if let cohortValue = value["cohort"] {
            guard let text = cohortValue.stringValue else { throw fail("\"cohort\" must be a string") }
            cohort = text
        }
        return TrafficOperation(kind: kind, key: key, v2: v2, v1: v1, timestamp: timestamp, cohort: cohort, line: line)
    }
}
