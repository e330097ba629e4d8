import Foundation
import SwiftProtobuf
import Testing

@testable import TandemProto

/// The codec test schema, loaded once from the committed descriptor set.
enum WireFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wire")

    struct MissingFixture: Error, CustomStringConvertible {
        let description: String
    }

    private static let loaded: Result<Schema, any Error> = Result {
        let data = try Data(contentsOf: directory.appendingPathComponent("codec_test.pb"))
        return try Schema(descriptorSet: [UInt8](data), origin: "codec_test.pb")
    }

    /// The schema of `codec_test.proto` and `codec_test_proto2.proto`.
    static func schema() throws -> Schema { try loaded.get() }

    static func message(_ name: String) throws -> MessageDescriptor {
        guard let descriptor = try schema().message(named: "tandem.codec.v1." + name) else {
            throw MissingFixture(description: "no message tandem.codec.v1.\(name) in codec_test.pb")
        }
        return descriptor
    }

    static func allTypes() throws -> MessageDescriptor { try message("AllTypes") }
    static func item() throws -> MessageDescriptor { try message("Item") }
    static func legacy() throws -> MessageDescriptor { try message("Legacy") }
    static func record20() throws -> MessageDescriptor { try message("Record20") }

    static func decode(
        _ bytes: [UInt8], as descriptor: MessageDescriptor,
        options: WireDecodingOptions = .init()
    ) throws -> DynamicMessage {
        try DynamicMessage(decoding: bytes, as: descriptor, schema: schema(), options: options)
    }

    static func empty(_ descriptor: MessageDescriptor) throws -> DynamicMessage {
        DynamicMessage(descriptor: descriptor, schema: try schema())
    }
}

/// Hand-written protobuf bytes for tests.
struct Bytes {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func tag(_ number: Int, _ wireType: UInt64) -> [UInt8] { varint(UInt64(number) << 3 | wireType) }

    mutating func varint(_ number: Int, _ value: UInt64) { bytes += Self.tag(number, 0) + Self.varint(value) }
    mutating func signed(_ number: Int, _ value: Int64) { varint(number, UInt64(bitPattern: value)) }
    mutating func fixed32(_ number: Int, _ value: UInt32) {
        bytes += Self.tag(number, 5) + withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
    mutating func fixed64(_ number: Int, _ value: UInt64) {
        bytes += Self.tag(number, 1) + withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
    mutating func delimited(_ number: Int, _ payload: [UInt8]) {
        bytes += Self.tag(number, 2) + Self.varint(UInt64(payload.count)) + payload
    }
    mutating func string(_ number: Int, _ value: String) { delimited(number, Array(value.utf8)) }
    mutating func startGroup(_ number: Int) { bytes += Self.tag(number, 3) }
    mutating func endGroup(_ number: Int) { bytes += Self.tag(number, 4) }

    static func build(_ body: (inout Bytes) -> Void) -> [UInt8] {
        var b = Bytes()
        body(&b)
        return b.bytes
    }
}
