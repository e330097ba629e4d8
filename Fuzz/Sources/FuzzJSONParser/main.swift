import FuzzSupport
import TandemProto

/// The JSON parser and proto3 JSON reader on arbitrary text (the first byte picks the message type). Invariants: a
/// parsed value written back parses to the same value; a message read from JSON writes JSON that reads back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let (selector, input) = FuzzSupport.split(data, count), !FuzzSupport.messages.isEmpty else { return 0 }
    guard let value = try? JSONValue(parsing: input) else { return 0 }
    let written = value.jsonString()
    guard let reparsed = try? JSONValue(parsing: written), reparsed == value else {
        FuzzSupport.finding("JSON written back does not parse to the same value: \(written.prefix(200))")
    }
    let schema = FuzzSupport.codec
    let descriptor = FuzzSupport.messages[Int(selector) % FuzzSupport.messages.count]
    guard let message = try? DynamicMessage(json: value, descriptor: descriptor, schema: schema) else { return 0 }
    // A message JSON could describe is one the wire format carries: its bytes decode to the same message.
    let bytes = message.serializedBytes()
    guard let decoded = try? DynamicMessage(decoding: bytes, as: descriptor, schema: schema),
        decoded.serializedBytes() == bytes
    else {
        FuzzSupport.finding("a message read from JSON does not round-trip through the wire format")
    }
    if let json = try? message.jsonValue(),
        let back = try? DynamicMessage(json: json, descriptor: descriptor, schema: schema),
        back.serializedBytes() != bytes
    {
        FuzzSupport.finding("a message written as JSON reads back different")
    }
    return 0
}
