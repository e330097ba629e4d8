import Tandem
import Testing

@testable import TandemProto

/// The validator's contract: when it answers, the payload decodes and the decoded message keeps exactly that many
/// unknown fields at every level; when the decoder rejects a payload, the validator declines.
@Suite("Wire validator")
struct WireValidatorTests {
    /// Checks the contract on one payload; returns whether the validator answered.
    static func check(_ bytes: [UInt8], as descriptor: MessageDescriptor, seed: UInt64) throws -> Bool {
        let validator = WireValidator(schema: try WireFixtures.schema())
        let answer = validator.unknownFieldCount(of: bytes, as: descriptor)
        let decoded = try? WireFixtures.decode(bytes, as: descriptor)
        guard let answer else { return false }
        guard let decoded else {
            Issue.record("seed \(seed): the validator answered for a payload the decoder rejects: \(bytes)")
            return true
        }
        #expect(answer == decoded.unknownFieldCountIncludingSubmessages, "seed \(seed): \(bytes)")
        return true
    }

    @Test("mutated payloads: answered exactly or declined", arguments: Array(UInt64(1)...30))
    func mutatedPayloads(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 104_729)
        let proto3: [UInt8] = try GeneratedModels.allTypes(&rng, depth: 2, maps: true).serializedBytes()
        let proto2: [UInt8] = try GeneratedModels.legacy(&rng, depth: 2, maps: true).serializedBytes()
        #expect(try Self.check(proto3, as: WireFixtures.allTypes(), seed: seed))
        var decodable = 0
        var answered = 0
        for _ in 0..<60 {
            let mutated = WireFuzzTests.mutate(proto3, &rng)
            if (try? WireFixtures.decode(mutated, as: WireFixtures.allTypes())) != nil { decodable += 1 }
            if try Self.check(mutated, as: WireFixtures.allTypes(), seed: seed) { answered += 1 }
            // The proto2 fixture has groups, which the validator leaves to the decoder: only the contract is checked.
            _ = try Self.check(WireFuzzTests.mutate(proto2, &rng), as: WireFixtures.legacy(), seed: seed)
        }
        // Of the proto3 payloads that still decode, most are answered (a mutation may set two members of a oneof).
        #expect(answered * 2 >= decodable, "seed \(seed): \(answered) of \(decodable) decodable answered")
    }

    @Test func keepsUnknownFieldsOffCountsNone() throws {
        var bytes = Bytes()
        bytes.varint(9_000, 1)
        let validator = WireValidator(schema: try WireFixtures.schema())
        #expect(validator.unknownFieldCount(of: bytes.bytes, as: try WireFixtures.item()) == 1)
        #expect(
            validator.unknownFieldCount(
                of: bytes.bytes, as: try WireFixtures.item(), options: .init(keepsUnknownFields: false)) == 0)
    }

    @Test func groupsAndDeepNestingAreLeftToTheDecoder() throws {
        var group = Bytes()
        group.startGroup(9_001)
        group.bytes += Bytes.tag(9_001, 4)
        let validator = WireValidator(schema: try WireFixtures.schema())
        #expect(validator.unknownFieldCount(of: group.bytes, as: try WireFixtures.item()) == nil)
        #expect(try WireFixtures.decode(group.bytes, as: WireFixtures.item()).unknownFieldCount == 1)
    }
}
