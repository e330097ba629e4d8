import Foundation
import SwiftProtobuf
import Tandem
import Testing

@testable import TandemProto

/// The JSON test schema (`Tests/Fixtures/json/json_test.proto`), compiled once with the built-in well-known types.
enum JSONFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json")

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    private static let loaded: Result<Schema, any Error> = Result {
        try ProtoCompiler(importPaths: [directory.path]).compile(["json_test.proto"]).schema()
    }

    static func schema() throws -> Schema { try loaded.get() }

    static func message(_ fullName: String) throws -> MessageDescriptor {
        guard let descriptor = try schema().message(named: fullName) else {
            throw Missing(description: "no message \(fullName) in json_test.proto")
        }
        return descriptor
    }

    static func record() throws -> MessageDescriptor { try message("tandem.json.v1.Record") }

    /// Reads `json` as a `tandem.json.v1.Record`.
    static func parse(_ json: String, options: ProtoJSONOptions = .init()) throws -> DynamicMessage {
        try DynamicMessage(jsonString: json, descriptor: record(), schema: schema(), options: options)
    }

    /// The `ProtoJSONError` reading `json` as a Record throws, or `nil` when it reads.
    static func parseError(_ json: String, options: ProtoJSONOptions = .init()) throws -> ProtoJSONError? {
        let descriptor = try record()
        let schema = try schema()
        do {
            _ = try DynamicMessage(jsonString: json, descriptor: descriptor, schema: schema, options: options)
            return nil
        } catch {
            return error
        }
    }

    /// The generated-code form of a dynamic message (through the binary format).
    static func generated(_ message: DynamicMessage) throws -> Tandem_Json_V1_Record {
        try Tandem_Json_V1_Record(serializedBytes: message.serializedBytes())
    }

    /// The dynamic form of a generated message (through the binary format).
    static func dynamic(_ message: Tandem_Json_V1_Record) throws -> DynamicMessage {
        try DynamicMessage(decoding: message.serializedBytes() as [UInt8], as: record(), schema: schema())
    }

    /// `message` re-read from its binary form: swift-protobuf's `==` does not equate an Any built from a message with
    /// the same Any read from bytes or JSON; re-read, both hold bytes (canonical: Any payloads here have no maps).
    static func settled(_ message: Tandem_Json_V1_Record) throws -> Tandem_Json_V1_Record {
        try Tandem_Json_V1_Record(serializedBytes: message.serializedBytes() as [UInt8])
    }

    /// Registers the types that Any payloads hold with swift-protobuf's registry (idempotent).
    static let registered: Bool = Google_Protobuf_Any.register(messageType: Tandem_Json_V1_Address.self)
}

/// Random `tandem.json.v1.Record`s built with the generated code, well-known types included.
enum JSONRandomRecords {
    static let strings = [
        "", "a", "héllo", "日本語", "🙂🙃", "\u{0}\u{1F}nul", "quote\"and\\slash", "</script>", "\u{2028}",
    ]

    static func string(_ rng: inout SplitMix64) -> String { strings[Int(rng.next() % UInt64(strings.count))] }
    static func coin(_ rng: inout SplitMix64) -> Bool { rng.next() % 2 == 0 }
    static func count(_ rng: inout SplitMix64, _ max: UInt64 = 3) -> Int { Int(rng.next() % (max + 1)) }

    static func int64(_ rng: inout SplitMix64) -> Int64 {
        switch rng.next() % 5 {
        case 0: return .min
        case 1: return .max
        case 2: return Int64.random(in: -1000...1000, using: &rng)
        default: return Int64(bitPattern: rng.next())
        }
    }

    static func int32(_ rng: inout SplitMix64) -> Int32 {
        switch rng.next() % 4 {
        case 0: return .min
        case 1: return .max
        default: return Int32(truncatingIfNeeded: rng.next())
        }
    }

    /// Finite doubles only: generated code's `==` says NaN != NaN (NaN is covered by the edge-case table).
    static func double(_ rng: inout SplitMix64) -> Double {
        switch rng.next() % 8 {
        case 0: return -0.0
        case 1: return .greatestFiniteMagnitude
        case 2: return .leastNonzeroMagnitude
        case 3: return 0.1
        case 4: return 1e21
        case 5: return Double.random(in: -1e6...1e6, using: &rng)
        default:
            let value = Double(bitPattern: rng.next())
            return value.isFinite ? value : 1.5
        }
    }

    static func float(_ rng: inout SplitMix64) -> Float {
        switch rng.next() % 5 {
        case 0: return .greatestFiniteMagnitude
        case 1: return .leastNonzeroMagnitude
        case 2: return 0.1
        default:
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            return value.isFinite ? value : -2.5
        }
    }

    static func bytes(_ rng: inout SplitMix64) -> Data {
        Data((0..<Int(rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    /// Declared values mostly, sometimes a number the open enum does not declare.
    static func status(_ rng: inout SplitMix64) -> Tandem_Json_V1_Status {
        let raw = rng.next() % 5 == 0 ? Int(Int32.random(in: -3...9, using: &rng)) : Int(rng.next() % 3)
        return Tandem_Json_V1_Status(rawValue: raw) ?? .unspecified
    }

    static func address(_ rng: inout SplitMix64) -> Tandem_Json_V1_Address {
        var address = Tandem_Json_V1_Address()
        if coin(&rng) { address.city = string(&rng) }
        if coin(&rng) { address.postalCode = string(&rng) }
        address.lines = (0..<count(&rng)).map { _ in string(&rng) }
        return address
    }

    static func timestamp(_ rng: inout SplitMix64) -> Google_Protobuf_Timestamp {
        var timestamp = Google_Protobuf_Timestamp()
        switch rng.next() % 4 {
        case 0: timestamp.seconds = -62_135_596_800
        case 1: timestamp.seconds = 253_402_300_799
        default: timestamp.seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &rng)
        }
        switch rng.next() % 4 {
        case 0: timestamp.nanos = 0
        case 1: timestamp.nanos = Int32.random(in: 0...999, using: &rng) * 1_000_000
        case 2: timestamp.nanos = Int32.random(in: 0...999_999, using: &rng) * 1000
        default: timestamp.nanos = Int32.random(in: 0...999_999_999, using: &rng)
        }
        return timestamp
    }

    static func duration(_ rng: inout SplitMix64) -> Google_Protobuf_Duration {
        var duration = Google_Protobuf_Duration()
        let seconds = Int64.random(in: -315_576_000_000...315_576_000_000, using: &rng)
        let nanos = rng.next() % 3 == 0 ? 0 : Int32.random(in: 0...999_999_999, using: &rng)
        duration.seconds = seconds
        duration.nanos = seconds < 0 || (seconds == 0 && coin(&rng)) ? -nanos : nanos
        return duration
    }

    static func value(_ rng: inout SplitMix64, depth: Int) -> Google_Protobuf_Value {
        var value = Google_Protobuf_Value()
        switch rng.next() % (depth > 0 ? 6 : 4) {
        case 0: value.nullValue = .nullValue
        case 1: value.numberValue = double(&rng)
        case 2: value.stringValue = string(&rng)
        case 3: value.boolValue = coin(&rng)
        case 4: value.structValue = structValue(&rng, depth: depth - 1)
        default: value.listValue = listValue(&rng, depth: depth - 1)
        }
        return value
    }

    static func structValue(_ rng: inout SplitMix64, depth: Int) -> Google_Protobuf_Struct {
        var result = Google_Protobuf_Struct()
        for _ in 0..<count(&rng) { result.fields[string(&rng)] = value(&rng, depth: depth) }
        return result
    }

    static func listValue(_ rng: inout SplitMix64, depth: Int) -> Google_Protobuf_ListValue {
        var result = Google_Protobuf_ListValue()
        result.values = (0..<count(&rng)).map { _ in value(&rng, depth: depth) }
        return result
    }

    static let maskPaths = ["a", "city", "postal_code", "address.postal_code", "r_address.lines", "x1_y"]

    /// Any payloads without maps, so that their packed bytes are canonical whoever writes them.
    static func any(_ rng: inout SplitMix64) throws -> Google_Protobuf_Any {
        switch rng.next() % 7 {
        case 0: return try Google_Protobuf_Any(message: address(&rng))
        case 1: return try Google_Protobuf_Any(message: timestamp(&rng))
        case 2: return try Google_Protobuf_Any(message: duration(&rng))
        case 3: return try Google_Protobuf_Any(message: Google_Protobuf_Int64Value(int64(&rng)))
        case 4: return try Google_Protobuf_Any(message: Google_Protobuf_Empty())
        case 5: return try Google_Protobuf_Any(message: value(&rng, depth: 0))
        default:
            var mask = Google_Protobuf_FieldMask()
            mask.paths = (0..<count(&rng)).map { _ in maskPaths[Int(rng.next() % UInt64(maskPaths.count))] }
            return try Google_Protobuf_Any(message: mask)
        }
    }

    static func record(_ rng: inout SplitMix64, depth: Int) throws -> Tandem_Json_V1_Record {
        var r = Tandem_Json_V1_Record()
        if coin(&rng) { r.fInt32 = int32(&rng) }
        if coin(&rng) { r.fInt64 = int64(&rng) }
        if coin(&rng) { r.fUint32 = UInt32(bitPattern: int32(&rng)) }
        if coin(&rng) { r.fUint64 = UInt64(bitPattern: int64(&rng)) }
        if coin(&rng) { r.fSint64 = int64(&rng) }
        if coin(&rng) { r.fFixed64 = UInt64(bitPattern: int64(&rng)) }
        if coin(&rng) { r.fSfixed32 = int32(&rng) }
        if coin(&rng) { r.fFloat = float(&rng) }
        if coin(&rng) { r.fDouble = double(&rng) }
        if coin(&rng) { r.fBool = coin(&rng) }
        if coin(&rng) { r.fString = string(&rng) }
        if coin(&rng) { r.fBytes = bytes(&rng) }
        if coin(&rng) { r.status = status(&rng) }
        if coin(&rng) { r.address = address(&rng) }
        if coin(&rng) { r.oInt32 = rng.next() % 3 == 0 ? 0 : int32(&rng) }
        if coin(&rng) { r.oString = rng.next() % 3 == 0 ? "" : string(&rng) }
        if coin(&rng) { r.oStatus = rng.next() % 3 == 0 ? .unspecified : status(&rng) }
        r.rInt64 = (0..<count(&rng)).map { _ in int64(&rng) }
        r.rDouble = (0..<count(&rng)).map { _ in double(&rng) }
        r.rStatus = (0..<count(&rng)).map { _ in status(&rng) }
        r.rAddress = (0..<count(&rng, 2)).map { _ in address(&rng) }
        r.rBytes = (0..<count(&rng)).map { _ in bytes(&rng) }
        for _ in 0..<count(&rng) { r.mStringInt64[string(&rng)] = int64(&rng) }
        for _ in 0..<count(&rng) { r.mInt32Address[int32(&rng)] = address(&rng) }
        for _ in 0..<count(&rng) { r.mBoolString[coin(&rng)] = string(&rng) }
        for _ in 0..<count(&rng) { r.mUint64Status[UInt64(bitPattern: int64(&rng))] = status(&rng) }
        for _ in 0..<count(&rng) { r.mSint32Bytes[int32(&rng)] = bytes(&rng) }
        switch rng.next() % 4 {
        case 0: r.cString = string(&rng)
        case 1: r.cAddress = address(&rng)
        case 2: r.cTimestamp = timestamp(&rng)
        default: break
        }
        if coin(&rng) { r.createdAt = timestamp(&rng) }
        if coin(&rng) { r.ttl = duration(&rng) }
        if coin(&rng) { r.wDouble = Google_Protobuf_DoubleValue(double(&rng)) }
        if coin(&rng) { r.wFloat = Google_Protobuf_FloatValue(float(&rng)) }
        if coin(&rng) { r.wInt64 = Google_Protobuf_Int64Value(int64(&rng)) }
        if coin(&rng) { r.wUint64 = Google_Protobuf_UInt64Value(UInt64(bitPattern: int64(&rng))) }
        if coin(&rng) { r.wInt32 = Google_Protobuf_Int32Value(rng.next() % 3 == 0 ? 0 : int32(&rng)) }
        if coin(&rng) { r.wUint32 = Google_Protobuf_UInt32Value(UInt32(bitPattern: int32(&rng))) }
        if coin(&rng) { r.wBool = Google_Protobuf_BoolValue(coin(&rng)) }
        if coin(&rng) { r.wString = Google_Protobuf_StringValue(string(&rng)) }
        if coin(&rng) { r.wBytes = Google_Protobuf_BytesValue(bytes(&rng)) }
        if coin(&rng) { r.attributes = structValue(&rng, depth: 2) }
        if coin(&rng) { r.dynamic = value(&rng, depth: 2) }
        if coin(&rng) { r.list = listValue(&rng, depth: 2) }
        if coin(&rng) {
            var mask = Google_Protobuf_FieldMask()
            mask.paths = (0..<count(&rng)).map { _ in maskPaths[Int(rng.next() % UInt64(maskPaths.count))] }
            r.mask = mask
        }
        if coin(&rng) { r.payload = try any(&rng) }
        if coin(&rng) { r.nothing = Google_Protobuf_Empty() }
        r.rTimestamps = (0..<count(&rng)).map { _ in timestamp(&rng) }
        r.rValues = (0..<count(&rng)).map { _ in value(&rng, depth: 1) }
        for _ in 0..<count(&rng) { r.mDurations[string(&rng)] = duration(&rng) }
        r.rAny = try (0..<count(&rng, 2)).map { _ in try any(&rng) }
        if depth > 0 && rng.next() % 3 == 0 { r.child = try record(&rng, depth: depth - 1) }
        return r
    }
}
