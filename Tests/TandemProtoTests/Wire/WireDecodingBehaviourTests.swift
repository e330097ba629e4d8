import Foundation
import SwiftProtobuf
import Testing

@testable import TandemProto

/// Decoding rules of the protobuf binary format, on hand-written payloads.
@Suite("Wire decoding behaviour")
struct WireDecodingBehaviourTests {
    @Test func packedAndUnpackedEncodingsAreBothAccepted() throws {
        // r_int32 (31) is declared packed, u_int32 (51) unpacked; each arrives in both forms.
        let bytes = Bytes.build {
            $0.varint(31, 1)
            $0.delimited(31, [0x02, 0x03])
            $0.varint(31, 4)
            $0.delimited(51, [0x05, 0x06])
            $0.varint(51, 7)
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(message.repeatedValues(named: "r_int32") == [.int32(1), .int32(2), .int32(3), .int32(4)])
        #expect(message.repeatedValues(named: "u_int32") == [.int32(5), .int32(6), .int32(7)])
        // Canonical form: r_int32 packed, u_int32 unpacked.
        let canonical = Bytes.build {
            $0.delimited(31, [1, 2, 3, 4])
            $0.varint(51, 5)
            $0.varint(51, 6)
            $0.varint(51, 7)
        }
        #expect(message.serializedBytes() == canonical)
    }

    @Test func lastValueWinsForSingularScalars() throws {
        let bytes = Bytes.build {
            $0.varint(1, 5)
            $0.string(14, "first")
            $0.varint(1, 9)
            $0.string(14, "second")
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(message.get(named: "f_int32") == .int32(9))
        #expect(message.get(named: "f_string") == .string("second"))
    }

    @Test func repeatedOccurrencesOfASingularMessageMerge() throws {
        let first = Bytes.build {
            $0.string(1, "a")
            $0.string(4, "x")
        }
        let second = Bytes.build {
            $0.varint(2, 5)
            $0.string(4, "y")
        }
        let bytes = Bytes.build {
            $0.delimited(17, first)
            $0.delimited(17, second)
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        let item = try #require(message.get(named: "f_item")?.messageValue)
        #expect(item.get(named: "sku") == .string("a"))
        #expect(item.get(named: "quantity") == .int32(5))
        #expect(item.repeatedValues(named: "tags") == [.string("x"), .string("y")])
        let generated = try Tandem_Codec_V1_AllTypes(serializedBytes: bytes)
        #expect(message == (try GeneratedModels.dynamic(generated)))
    }

    @Test func int32SignExtendedToTenBytesDecodes() throws {
        let tenBytes: [UInt8] = [0x08] + Array(repeating: 0xFF, count: 9) + [0x01]
        let fiveBytes: [UInt8] = [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(try WireFixtures.decode(tenBytes, as: WireFixtures.allTypes()).get(1) == .int32(-1))
        #expect(try WireFixtures.decode(fiveBytes, as: WireFixtures.allTypes()).get(1) == .int32(-1))
        var message = try WireFixtures.empty(WireFixtures.allTypes())
        try message.set(1, to: .int32(-1))
        #expect(message.serializedBytes() == tenBytes)
    }

    @Test func closedEnumUnknownNumberGoesToUnknownFields() throws {
        let bytes = Bytes.build {
            $0.varint(1, 7)
            $0.varint(6, 9)  // level = 9: Level declares 1...3
            $0.delimited(23, [0x01, 0x09, 0x02])  // p_level packed [1, 9, 2]
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.legacy())
        #expect(!message.has(named: "level"))
        #expect(message.get(named: "level") == .enumValue(2))  // the declared default
        #expect(message.repeatedValues(named: "p_level") == [.enumValue(1), .enumValue(2)])
        #expect(message.unknownFieldCount == 2)
        #expect(
            message.unknownFields
                == Bytes.build {
                    $0.varint(6, 9)
                    $0.varint(23, 9)
                })
        let generated = try Tandem_Codec_V1_Legacy(serializedBytes: bytes)
        // swift-protobuf keeps the same two unknown values (it writes the packed one back packed, C++ unpacked).
        #expect(!generated.hasLevel && generated.pLevel == [.low, .mid])
        #expect(!generated.unknownFields.data.isEmpty)
    }

    @Test func openEnumKeepsUnknownNumbers() throws {
        let message = try WireFixtures.decode(Bytes.build { $0.varint(16, 9) }, as: WireFixtures.allTypes())
        #expect(message.get(named: "f_color") == .enumValue(9))
        #expect(message.unknownFieldCount == 0)
    }

    @Test func closedEnumMapEntryWithUnknownValueIsKeptWhole() throws {
        let entry = Bytes.build {
            $0.string(1, "k")
            $0.varint(2, 5)
        }
        let bytes = Bytes.build {
            $0.varint(1, 1)
            $0.delimited(51, entry)
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.legacy())
        #expect(message.mapEntries(named: "m_mode").isEmpty)
        #expect(message.unknownFields == Bytes.build { $0.delimited(51, entry) })
    }

    @Test func wireTypeMismatchGoesToUnknownFields() throws {
        let bytes = Bytes.build {
            $0.fixed32(1, 7)  // f_int32 as fixed32
            $0.varint(14, 1)  // f_string as varint
            $0.varint(17, 3)  // f_item as varint
            $0.fixed64(31, 1)  // r_int32 as fixed64
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(!message.has(1) && !message.has(14) && !message.has(17) && !message.has(31))
        #expect(message.unknownFieldCount == 4)
        #expect(message.unknownFields == bytes)
        #expect(message.serializedBytes() == bytes)
    }

    @Test func mapEntryWithMissingKeyOrValueIsDefaulted() throws {
        let bytes = Bytes.build {
            $0.delimited(61, Bytes.build { $0.string(2, "no key") })
            $0.delimited(61, Bytes.build { $0.varint(1, 5) })
            $0.delimited(
                61,
                Bytes.build {
                    $0.varint(1, 6)
                    $0.string(2, "old")
                })
            $0.delimited(
                61,
                Bytes.build {
                    $0.varint(1, 6)
                    $0.string(2, "new")
                })
            $0.delimited(65, Bytes.build { $0.string(1, "item") })
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(
            message.mapEntries(named: "m_int32_string") == [
                .int32(0): .string("no key"), .int32(5): .string(""), .int32(6): .string("new"),
            ])
        let item = try #require(message.mapValue(65, key: .string("item"))?.messageValue)
        #expect(item == (try WireFixtures.empty(WireFixtures.item())))
        let generated = try Tandem_Codec_V1_AllTypes(serializedBytes: bytes)
        #expect(message == (try GeneratedModels.dynamic(generated)))
    }

    @Test func mapsEncodeSortedByKeyWithKeyAndValueWritten() throws {
        var message = try WireFixtures.empty(WireFixtures.allTypes())
        for key: Int32 in [3, -1, 0, 1] {
            try message.setMapValue(.string(key == 0 ? "" : "v\(key)"), forKey: .int32(key), in: 61)
        }
        let item = try WireFixtures.empty(WireFixtures.item())
        for key in ["b", "a", "é", "Z"] { try message.setMapValue(.message(item), forKey: .string(key), in: 65) }
        let expected = Bytes.build { b in
            for key: Int64 in [-1, 0, 1, 3] {
                b.delimited(
                    61,
                    Bytes.build {
                        $0.signed(1, key)
                        $0.string(2, key == 0 ? "" : "v\(key)")
                    })
            }
        }
        #expect(message.mapEntries(named: "m_int32_string").count == 4)
        let encoded = message.serializedBytes()
        #expect(encoded.starts(with: expected))
        // String keys in UTF-8 byte order, each entry with key and (empty) value written.
        var keys: [String] = []
        try WireReader.withReader(encoded) { reader in
            while let (number, _) = try reader.nextTag() {
                let entry = try reader.readLengthDelimited()
                guard number == 65 else { continue }
                var fields = reader.subReader(entry)
                #expect(try fields.nextTag()?.fieldNumber == 1)
                keys.append(String(decoding: reader.bytes(in: try fields.readLengthDelimited()), as: UTF8.self))
                #expect(try fields.nextTag()?.fieldNumber == 2)
                #expect(try fields.readLengthDelimited().isEmpty)
                #expect(fields.isAtEnd)
            }
        }
        #expect(keys == ["Z", "a", "b", "é"])
    }

    @Test func unknownFieldsArePreservedInOrderAndWrittenLast() throws {
        let unknownA = Bytes.build { $0.varint(1000, 1) }
        let unknownB = Bytes.build { $0.fixed32(999, 0xDEAD_BEEF) }
        let unknownC = Bytes.build {
            $0.startGroup(1001)
            $0.varint(1, 2)
            $0.endGroup(1001)
        }
        let bytes = Bytes.build {
            $0.bytes += unknownA
            $0.string(14, "x")
            $0.bytes += unknownB
            $0.varint(1, 5)
            $0.bytes += unknownC
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(message.unknownFields == unknownA + unknownB + unknownC)
        #expect(message.unknownFieldCount == 3)
        let known = Bytes.build {
            $0.varint(1, 5)
            $0.string(14, "x")
        }
        #expect(message.serializedBytes() == known + unknownA + unknownB + unknownC)
        let dropping = try WireFixtures.decode(
            bytes, as: WireFixtures.allTypes(), options: WireDecodingOptions(keepsUnknownFields: false))
        #expect(dropping.unknownFieldCount == 0 && dropping.serializedBytes() == known)
    }

    @Test func proto2StringThatIsNotUTF8KeepsItsBytes() throws {
        let bytes = Bytes.build {
            $0.varint(1, 1)
            $0.delimited(2, [0xC3, 0x28])
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.legacy())
        #expect(message.get(named: "name") == .bytes([0xC3, 0x28]))
        #expect(message.serializedBytes() == bytes)
    }

    @Test func implicitPresenceDefaultsAreNotWrittenExplicitPresenceDefaultsAre() throws {
        var message = try WireFixtures.empty(WireFixtures.allTypes())
        try message.set(named: "f_int32", to: .int32(0))
        try message.set(named: "o_int32", to: .int32(0))
        try message.set(named: "c_string", to: .string(""))
        #expect(!message.has(named: "f_int32"))
        #expect(message.has(named: "o_int32"))
        #expect(
            message.serializedBytes()
                == Bytes.build {
                    $0.varint(20, 0)
                    $0.string(72, "")
                })
        // A zero written on the wire for an implicit-presence field decodes as unset.
        let decoded = try WireFixtures.decode(Bytes.build { $0.varint(1, 0) }, as: WireFixtures.allTypes())
        #expect(decoded == (try WireFixtures.empty(WireFixtures.allTypes())))
    }

    @Test func laterOneofMemberReplacesTheEarlierOne() throws {
        let bytes = Bytes.build {
            $0.varint(71, 3)
            $0.string(72, "s")
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(message.whichOneof(named: "choice")?.name == "c_string")
        #expect(!message.has(named: "c_int32"))
        var edited = message
        try edited.set(named: "c_int32", to: .int32(1))
        #expect(edited.whichOneof(named: "choice")?.name == "c_int32")
        #expect(message.whichOneof(named: "choice")?.name == "c_string")  // copy-on-write
    }

    @Test func proto2DeclaredDefaultsAreReturnedForUnsetFields() throws {
        let message = try WireFixtures.decode([0x08, 0x01], as: WireFixtures.legacy())
        #expect(message.get(named: "name") == .string("anon"))
        #expect(message.get(named: "big") == .int64(-42))
        #expect(message.get(named: "ratio") == .double(1.5))
        #expect(message.get(named: "on") == .bool(true))
        #expect(message.get(named: "level") == .enumValue(2))
        #expect(message.get(named: "blob") == .bytes([0x61, 0x01, 0x5C, 0x7A]))
        #expect(message.get(named: "fraction") == .float(-.infinity))
        #expect(message.get(named: "u32") == .uint32(0))
        #expect(!message.has(named: "name"))
        #expect(message.serializedBytes() == [0x08, 0x01])
    }

    @Test func groupsDecodeAndEncodeAsGroups() throws {
        let bytes = Bytes.build {
            $0.varint(1, 1)
            $0.startGroup(30)
            $0.string(31, "t")
            $0.startGroup(33)
            $0.varint(34, 9)
            $0.endGroup(33)
            $0.endGroup(30)
            $0.startGroup(40)
            $0.string(41, "l1")
            $0.endGroup(40)
            $0.startGroup(40)
            $0.varint(42, 2)
            $0.endGroup(40)
        }
        let message = try WireFixtures.decode(bytes, as: WireFixtures.legacy())
        let header = try #require(message.get(named: "header")?.messageValue)
        #expect(header.get(named: "title") == .string("t"))
        #expect(header.get(named: "inner")?.messageValue?.get(named: "stamp") == .int64(9))
        #expect(message.repeatedValues(named: "line").count == 2)
        #expect(message.serializedBytes() == bytes)
    }

    @Test func roundTripKeepsNaNAndNegativeZero() throws {
        var message = try WireFixtures.empty(WireFixtures.allTypes())
        try message.set(named: "f_double", to: .double(-0.0))
        try message.set(named: "o_double", to: .double(.nan))
        try message.setRepeated(named: "r_float", to: [.float(.nan), .float(-0.0), .float(.infinity)])
        let decoded = try WireFixtures.decode(message.serializedBytes(), as: WireFixtures.allTypes())
        #expect(decoded == message)
        #expect(decoded.hashValue == message.hashValue)
    }

    @Test func mergeAppendsAndCollectionInputsDecodeTheSame() throws {
        let bytes = Bytes.build {
            $0.varint(31, 1)
            $0.string(14, "a")
        }
        var message = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        try message.merge(decoding: Bytes.build { $0.varint(31, 2) })
        #expect(message.repeatedValues(named: "r_int32") == [.int32(1), .int32(2)])
        let fromData = try DynamicMessage(
            decoding: Data(bytes), as: WireFixtures.allTypes(), schema: WireFixtures.schema())
        let fromSlice = try DynamicMessage(
            decoding: ([0xFF] + bytes)[1...], as: WireFixtures.allTypes(), schema: WireFixtures.schema())
        let expected = try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        #expect(fromData == expected && fromSlice == expected)
        var appended: [UInt8] = [0xAA]
        expected.append(to: &appended)
        #expect(appended == [0xAA] + expected.serializedBytes())
        #expect(expected.serializedSize() == expected.serializedBytes().count)
    }

    @Test func settersRejectValuesThatDoNotFit() throws {
        var message = try WireFixtures.empty(WireFixtures.allTypes())
        #expect(throws: DynamicMessageError.self) { try message.set(named: "f_int32", to: .string("x")) }
        #expect(throws: DynamicMessageError.self) { try message.set(named: "r_int32", to: .int32(1)) }
        #expect(throws: DynamicMessageError.self) { try message.append(.int32(1), to: 1) }
        #expect(throws: DynamicMessageError.self) { try message.set(999, to: .int32(1)) }
        #expect(throws: DynamicMessageError.self) {
            try message.set(named: "f_item", to: .message(try WireFixtures.empty(WireFixtures.allTypes())))
        }
        #expect(message == (try WireFixtures.empty(WireFixtures.allTypes())))
    }
}
