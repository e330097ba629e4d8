import Tandem
import Testing

@testable import TandemProto

/// `WireOutput` writes exactly what appending the same values to an array writes, through growth, nested length
/// prefixes that need one, two or three bytes, truncation and reuse of one buffer for many messages.
@Suite("WireOutput")
struct WireOutputTests {
    /// One write, done to both the output and the reference array.
    private enum Step {
        case byte(UInt8)
        case varint(UInt64)
        case tag(Int32, WireType)
        case fixed32(UInt32)
        case fixed64(UInt64)
        case lengthDelimited([UInt8])
        /// A value written through `beginLengthPrefix`/`endLengthPrefix` around `inner`.
        case prefixed([Step])
    }

    private func write(_ steps: [Step], to out: inout WireOutput) {
        for step in steps {
            switch step {
            case .byte(let byte): out.append(byte)
            case .varint(let value): out.appendVarint(value)
            case .tag(let number, let wireType): out.appendTag(number, wireType)
            case .fixed32(let value): out.appendFixed32(value)
            case .fixed64(let value): out.appendFixed64(value)
            case .lengthDelimited(let bytes): bytes.withUnsafeBytes { out.appendLengthDelimited($0) }
            case .prefixed(let inner):
                let start = out.beginLengthPrefix()
                write(inner, to: &out)
                out.endLengthPrefix(start)
            }
        }
    }

    private func reference(_ steps: [Step]) -> [UInt8] {
        var bytes: [UInt8] = []
        for step in steps {
            switch step {
            case .byte(let byte): bytes.append(byte)
            case .varint(let value): WireFormat.appendVarint(value, to: &bytes)
            case .tag(let number, let wireType): WireFormat.appendVarint(WireFormat.tag(number, wireType), to: &bytes)
            case .fixed32(let value): withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
            case .fixed64(let value): withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
            case .lengthDelimited(let payload):
                WireFormat.appendVarint(UInt64(payload.count), to: &bytes)
                bytes.append(contentsOf: payload)
            case .prefixed(let inner):
                let payload = reference(inner)
                WireFormat.appendVarint(UInt64(payload.count), to: &bytes)
                bytes.append(contentsOf: payload)
            }
        }
        return bytes
    }

    private func randomSteps(depth: Int, using generator: inout some RandomNumberGenerator) -> [Step] {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: return .byte(UInt8.random(in: 0...255, using: &generator))
            case 1:
                return .varint(
                    UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator)
                )
            case 2:
                let wireTypes: [WireType] = [.varint, .fixed64, .lengthDelimited, .startGroup, .endGroup, .fixed32]
                return .tag(
                    Int32.random(in: 1...536_870_911, using: &generator) >> Int32.random(in: 0...28, using: &generator),
                    wireTypes[Int.random(in: 0..<wireTypes.count, using: &generator)])
            case 3: return .fixed32(UInt32.random(in: 0...UInt32.max, using: &generator))
            case 4: return .fixed64(UInt64.random(in: 0...UInt64.max, using: &generator))
            case 5:
                // Lengths around the one-, two- and three-byte prefix boundaries.
                let length = [0, 1, 127, 128, 300, 16_383, 16_384, 20_000][Int.random(in: 0..<8, using: &generator)]
                return .lengthDelimited((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            default:
                guard depth < 4 else { return .byte(0x2A) }
                var inner = randomSteps(depth: depth + 1, using: &generator)
                if Bool.random(using: &generator) {
                    let length = [100, 126, 127, 128, 16_380, 16_383, 16_384][Int.random(in: 0..<7, using: &generator)]
                    inner.append(.lengthDelimited([UInt8](repeating: 7, count: length)))
                }
                return .prefixed(inner)
            }
        }
    }

    @Test func writesWhatTheArrayWritersWrite() {
        var generator = SplitMix64(seed: 0x5EED_0F0B)
        // One small buffer for every message: it grows, and later messages reuse what it grew to.
        let buffer = WireBuffer(capacity: 1)
        for round in 0..<400 {
            let steps = randomSteps(depth: 0, using: &generator)
            var out = WireOutput(buffer)
            write(steps, to: &out)
            out.finish()
            let expected = reference(steps)
            #expect(out.count == expected.count, "round \(round)")
            #expect(Array(buffer.bytes) == expected, "round \(round)")
            #expect(Array(out.bytes(from: 0)) == expected, "round \(round)")
        }
    }

    @Test func aPrefixWidenedAfterGrowthKeepsTheValueAndWhatFollows() {
        let buffer = WireBuffer(capacity: 64)
        let value = (0..<200).map { UInt8(truncatingIfNeeded: $0) }
        var out = WireOutput(buffer)
        out.appendTag(1, .lengthDelimited)
        let start = out.beginLengthPrefix()
        value.withUnsafeBytes { out.append($0) }
        out.endLengthPrefix(start)
        out.appendTag(2, .varint)
        out.appendVarint(300)
        out.finish()
        #expect(Array(buffer.bytes) == [0x0A, 0xC8, 0x01] + value + [0x10, 0xAC, 0x02])
    }

    @Test func truncateDropsTheBytesFromAnOffset() {
        let buffer = WireBuffer()
        var out = WireOutput(buffer)
        out.appendTag(1, .varint)
        out.appendVarint(1)
        let mark = out.count
        out.appendTag(2, .fixed64)
        out.appendFixed64(0x0102_0304_0506_0708)
        out.truncate(to: mark)
        out.appendTag(3, .fixed32)
        out.appendFixed32(0x0A0B_0C0D)
        out.finish()
        #expect(Array(buffer.bytes) == [0x08, 0x01, 0x1D, 0x0D, 0x0C, 0x0B, 0x0A])
    }
}
