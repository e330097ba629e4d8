import Foundation
import SwiftProtobuf
import Tandem
import Testing

@testable import TandemProto

/// The dynamic codec agrees with swift-protobuf's generated code on hundreds of seeded random messages.
@Suite("Wire codec agrees with generated code")
struct GeneratedCodeCrossCheckTests {
    static let seeds: [UInt64] = Array(1...300)

    /// Compares two dynamic messages field by field, naming the field that differs.
    static func expectSameFields(_ actual: DynamicMessage, _ expected: DynamicMessage, seed: UInt64) {
        #expect(actual.descriptor.fullName == expected.descriptor.fullName)
        for (position, field) in expected.descriptor.fields.enumerated() {
            let got = actual.fieldValue(at: position)
            let want = expected.fieldValue(at: position)
            #expect(got == want, "seed \(seed): field \(field.name) differs")
            if !field.isRepeated {
                #expect(actual.get(field.number) == expected.get(field.number), "seed \(seed): get(\(field.name))")
                #expect(actual.has(named: field.name) == expected.has(named: field.name), "seed \(seed): has")
            }
        }
        #expect(actual == expected, "seed \(seed)")
        #expect(actual.unknownFieldCount == 0, "seed \(seed)")
    }

    @Test("proto3 messages from generated code decode to the same field values", arguments: seeds)
    func proto3GeneratedBytesDecodeToSameValues(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let generated = GeneratedModels.allTypes(&rng, depth: 2, maps: true)
        let bytes: [UInt8] = try generated.serializedBytes()
        let decoded = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        Self.expectSameFields(decoded, try GeneratedModels.dynamic(generated), seed: seed)
    }

    @Test("proto3 canonical bytes decode with generated code to an equal message", arguments: seeds)
    func proto3OurBytesDecodeWithGeneratedCode(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let generated = GeneratedModels.allTypes(&rng, depth: 2, maps: true)
        let ours = try GeneratedModels.dynamic(generated).serializedBytes()
        let back = try Tandem_Codec_V1_AllTypes(serializedBytes: ours)
        #expect(back == generated, "seed \(seed)")
    }

    @Test("proto3 canonical bytes equal generated code's bytes", arguments: seeds)
    func proto3CanonicalBytesEqualGeneratedBytes(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let withoutMaps = GeneratedModels.allTypes(&rng, depth: 2, maps: false)
        let expected: [UInt8] = try withoutMaps.serializedBytes()
        #expect(try GeneratedModels.dynamic(withoutMaps).serializedBytes() == expected, "seed \(seed)")
        #expect(try WireFixtures.decode(expected, as: WireFixtures.allTypes()).serializedBytes() == expected)

        // With maps, generated code's deterministic ordering sorts keys as we do.
        let withMaps = GeneratedModels.allTypes(&rng, depth: 1, maps: true)
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let sorted: [UInt8] = try withMaps.serializedBytes(options: options)
        #expect(try GeneratedModels.dynamic(withMaps).serializedBytes() == sorted, "seed \(seed) (maps)")
    }

    @Test("proto2 messages round-trip with generated code, bytes included", arguments: seeds)
    func proto2RoundTripsWithGeneratedCode(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let generated = GeneratedModels.legacy(&rng, depth: 2, maps: seed % 2 == 0)
        let bytes: [UInt8] = try generated.serializedBytes()
        let decoded = try WireFixtures.decode(bytes, as: WireFixtures.legacy())
        Self.expectSameFields(decoded, try GeneratedModels.dynamic(generated), seed: seed)
        let ours = decoded.serializedBytes()
        #expect(try Tandem_Codec_V1_Legacy(serializedBytes: ours) == generated, "seed \(seed)")
        // Maps (also in nested messages) are written in generated code's dictionary order; compare bytes without.
        if seed % 2 == 1 {
            #expect(ours == bytes, "seed \(seed)")
        }
    }
}
