import Testing

@testable import TandemProto

/// ``WireReader`` walks tags and values with byte offsets, without building a message.
@Suite("Wire reader")
struct WireReaderTests {
    @Test func readsTagsValuesAndOffsets() throws {
        let bytes = Bytes.build {
            $0.varint(1, 300)
            $0.fixed32(7, 0x0102_0304)
            $0.string(14, "hi")
            $0.fixed64(8, 9)
            $0.startGroup(5)
            $0.varint(1, 1)
            $0.endGroup(5)
            $0.varint(536_870_911, 1)
        }
        try WireReader.withReader(bytes) { reader in
            let first = try reader.nextTag()
            #expect(first?.fieldNumber == 1 && first?.wireType == .varint && reader.tagOffset == 0)
            #expect(try reader.readVarint() == 300)
            #expect(reader.offset == 3)
            #expect(try reader.nextTag()?.wireType == .fixed32)
            #expect(try reader.readFixed32() == 0x0102_0304)
            #expect(try reader.nextTag()?.fieldNumber == 14)
            let range = try reader.readLengthDelimited()
            #expect(range == 10..<12)
            #expect(Array(reader.bytes(in: range)) == Array("hi".utf8))
            let fixed = try reader.nextTag()
            try reader.skipField(wireType: fixed?.wireType ?? .varint, fieldNumber: fixed?.fieldNumber ?? 0)
            let group = try reader.nextTag()
            #expect(group?.wireType == .startGroup)
            try reader.skipField(wireType: .startGroup, fieldNumber: group?.fieldNumber ?? 0)
            #expect(try reader.nextTag()?.fieldNumber == 536_870_911)
            #expect(try reader.readVarint() == 1)
            #expect(try reader.nextTag() == nil)
            #expect(reader.isAtEnd)
        }
    }

    @Test func subReaderStopsAtTheSliceEnd() throws {
        let bytes = Bytes.build {
            $0.delimited(2, [0x08, 0x01])
            $0.varint(3, 1)
        }
        try WireReader.withReader(bytes) { reader in
            _ = try reader.nextTag()
            var nested = reader.subReader(try reader.readLengthDelimited())
            #expect(try nested.nextTag()?.fieldNumber == 1)
            #expect(try nested.readVarint() == 1)
            #expect(try nested.nextTag() == nil)
            #expect(try reader.nextTag()?.fieldNumber == 3)
        }
    }

    @Test func outOfRangeSubReaderIsClamped() throws {
        WireReader.withReader([0x08, 0x01]) { reader in
            var clamped = reader.subReader(1..<50)
            #expect(clamped.remaining == 1)
            #expect(throws: WireDecodingError.self) { _ = try clamped.readFixed64() }
            #expect(reader.bytes(in: -5..<100).count == 2)
        }
    }
}
