import Tandem
import Testing

@testable import TandemProto

/// Decoding never crashes: random, mutated and truncated payloads either decode or throw ``WireDecodingError``;
/// and whatever decodes re-encodes to bytes that decode to an equal message.
@Suite("Wire codec under corrupted input")
struct WireFuzzTests {
    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            switch rng.next() % 5 {
            case 0 where !out.isEmpty:
                let index = Int(rng.next() % UInt64(out.count))
                out[index] ^= UInt8(1) << UInt8(rng.next() % 8)
            case 1:
                let index = Int(rng.next() % UInt64(out.count + 1))
                out.insert(UInt8(truncatingIfNeeded: rng.next()), at: index)
            case 2 where !out.isEmpty:
                out.remove(at: Int(rng.next() % UInt64(out.count)))
            case 3 where !out.isEmpty:
                out.removeLast(Int(rng.next() % UInt64(out.count)))
            default:
                if !out.isEmpty { out[Int(rng.next() % UInt64(out.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            }
        }
        return out
    }

    /// Decodes `bytes`; when it succeeds, checks decode(encode(m)) == m.
    static func check(_ bytes: [UInt8], as descriptor: MessageDescriptor, seed: UInt64) throws -> Bool {
        let message: DynamicMessage
        do {
            message = try WireFixtures.decode(bytes, as: descriptor)
        } catch is WireDecodingError {
            return false
        }
        let again = try WireFixtures.decode(message.serializedBytes(), as: descriptor)
        #expect(again == message, "seed \(seed)")
        let (a, b) = (again.serializedBytes(), message.serializedBytes())
        if a != b {
            let index = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record(
                "seed \(seed): re-encoding differs at byte \(index) of \(a.count)/\(b.count): \(Array(a[max(0, index - 12)..<min(a.count, index + 12)])) vs \(Array(b[max(0, index - 12)..<min(b.count, index + 12)])); input \(bytes)"
            )
        }
        return true
    }

    @Test("mutated payloads decode or throw WireDecodingError", arguments: Array(UInt64(1)...60))
    func mutatedPayloadsNeverCrash(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 7919)
        let proto3: [UInt8] = try GeneratedModels.allTypes(&rng, depth: 2, maps: true).serializedBytes()
        let proto2: [UInt8] = try GeneratedModels.legacy(&rng, depth: 2, maps: true).serializedBytes()
        var decoded = 0
        for _ in 0..<60 {
            if try Self.check(Self.mutate(proto3, &rng), as: WireFixtures.allTypes(), seed: seed) { decoded += 1 }
            if try Self.check(Self.mutate(proto2, &rng), as: WireFixtures.legacy(), seed: seed) { decoded += 1 }
        }
        for cut in stride(from: 0, to: proto3.count, by: max(1, proto3.count / 40)) {
            _ = try Self.check(Array(proto3.prefix(cut)), as: WireFixtures.allTypes(), seed: seed)
        }
        // Some mutations must decode (a flipped bit inside a value), or the round-trip half checks nothing.
        #expect(decoded > 0)
    }

    @Test("random bytes decode or throw WireDecodingError", arguments: Array(UInt64(1)...20))
    func randomBytesNeverCrash(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try Self.check(bytes, as: WireFixtures.allTypes(), seed: seed)
            _ = try Self.check(bytes, as: WireFixtures.legacy(), seed: seed)
        }
    }

    @Test("decode(encode(m)) == m for random messages", arguments: Array(UInt64(1)...100))
    func decodeOfEncodeIsIdentity(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &+ 1_000)
        let message = try GeneratedModels.dynamic(GeneratedModels.allTypes(&rng, depth: 3, maps: true))
        var withUnknown = message
        withUnknown.unknownFields = Bytes.build {
            $0.varint(4242, seed)
            $0.string(4243, "u")
        }
        for m in [message, withUnknown] {
            let decoded = try WireFixtures.decode(m.serializedBytes(), as: WireFixtures.allTypes())
            #expect(decoded == m, "seed \(seed)")
        }
        #expect(withUnknown.unknownFieldCount == 2)
    }
}
