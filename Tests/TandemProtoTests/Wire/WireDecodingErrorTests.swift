import Testing

@testable import TandemProto

/// Malformed payloads throw ``WireDecodingError`` with the exact code, byte offset and field path.
@Suite("Wire decoding errors")
struct WireDecodingErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let message: String
        let bytes: [UInt8]
        let code: WireDecodingError.Code
        let offset: Int
        let path: String
        var options = WireDecodingOptions()
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "varint cut short", message: "AllTypes", bytes: [0x08, 0x80],
            code: .truncatedVarint, offset: 1, path: "f_int32"),
        Case(
            name: "varint of eleven bytes", message: "AllTypes",
            bytes: [0x08] + Array(repeating: 0xFF, count: 10) + [0x01],
            code: .malformedVarint, offset: 1, path: "f_int32"),
        Case(
            name: "fixed32 cut short", message: "AllTypes", bytes: [0x3D, 0x01, 0x02],
            code: .truncatedFixed, offset: 1, path: "f_fixed32"),
        Case(
            name: "string longer than the payload", message: "AllTypes", bytes: [0x72, 0x05, 0x61, 0x62],
            code: .truncatedLength, offset: 1, path: "f_string"),
        Case(
            name: "nested string past the end of its message", message: "AllTypes",
            bytes: [0x8A, 0x01, 0x03, 0x0A, 0x05, 0x61, 0x08, 0x01, 0x08, 0x01, 0x08, 0x01],
            code: .lengthPastEnd, offset: 4, path: "f_item.sku"),
        Case(
            name: "packed fixed32 of three bytes", message: "AllTypes", bytes: [0xAA, 0x02, 0x03, 0x01, 0x02, 0x03],
            code: .invalidPackedLength, offset: 2, path: "r_fixed32"),
        Case(
            name: "packed varint cut short names the element", message: "AllTypes",
            bytes: [0xFA, 0x01, 0x03, 0x01, 0x02, 0x80],
            code: .truncatedVarint, offset: 5, path: "r_int32[2]"),
        Case(
            name: "wire type 6", message: "AllTypes", bytes: [0x0E],
            code: .invalidWireType, offset: 0, path: ""),
        Case(
            name: "wire type 7 inside a nested message", message: "AllTypes", bytes: [0x8A, 0x01, 0x01, 0x0F],
            code: .invalidWireType, offset: 3, path: "f_item"),
        Case(
            name: "end group with no open group", message: "AllTypes", bytes: [0x0C],
            code: .unmatchedEndGroup, offset: 0, path: ""),
        Case(
            name: "group closed with another number", message: "Legacy", bytes: [0xF3, 0x01, 0xC4, 0x02],
            code: .unmatchedEndGroup, offset: 2, path: "header"),
        Case(
            name: "group never closed", message: "Legacy", bytes: [0xF3, 0x01, 0xFA, 0x01, 0x01, 0x61],
            code: .unterminatedGroup, offset: 0, path: "header"),
        Case(
            name: "unknown group never closed", message: "AllTypes", bytes: [0x08, 0x01, 0xBB, 0x3E, 0x08, 0x01],
            code: .unterminatedGroup, offset: 2, path: ""),
        Case(
            name: "field number zero", message: "AllTypes", bytes: [0x08, 0x01, 0x00, 0x00],
            code: .fieldNumberZero, offset: 2, path: ""),
        Case(
            name: "field number above 2^29-1", message: "AllTypes", bytes: [0x80, 0x80, 0x80, 0x80, 0x10, 0x00],
            code: .fieldNumberOutOfRange, offset: 0, path: ""),
        Case(
            name: "proto3 string not UTF-8", message: "AllTypes", bytes: [0x72, 0x02, 0xC3, 0x28],
            code: .invalidUTF8, offset: 2, path: "f_string"),
        Case(
            name: "invalid UTF-8 in the second repeated message", message: "AllTypes",
            bytes: [0xFA, 0x02, 0x00, 0xFA, 0x02, 0x04, 0x0A, 0x02, 0xFF, 0xFE],
            code: .invalidUTF8, offset: 8, path: "r_item[1].sku"),
        Case(
            name: "invalid UTF-8 in a map value names the key", message: "AllTypes",
            bytes: [0x8A, 0x04, 0x09, 0x0A, 0x01, 0x6B, 0x12, 0x04, 0x0A, 0x02, 0xFF, 0xFE],
            code: .invalidUTF8, offset: 10, path: "m_string_item[\"k\"].sku"),
        Case(
            name: "messages nested past the depth limit", message: "AllTypes",
            bytes: [0x82, 0x05, 0x03, 0x82, 0x05, 0x00],
            code: .depthLimitExceeded, offset: 3, path: "recursive.recursive",
            options: WireDecodingOptions(maxDepth: 2)),
        Case(
            name: "payload above the size limit", message: "AllTypes", bytes: [0x08, 0x01, 0x08, 0x01, 0x08],
            code: .sizeLimitExceeded, offset: 4, path: "", options: WireDecodingOptions(maxSize: 4)),
    ]

    @Test("malformed payload reports code, offset and field path", arguments: cases)
    func malformedPayloadReportsWhereItFailed(_ testCase: Case) throws {
        let descriptor = try WireFixtures.message(testCase.message)
        let error = #expect(throws: WireDecodingError.self) {
            try WireFixtures.decode(testCase.bytes, as: descriptor, options: testCase.options)
        }
        #expect(error?.code == testCase.code)
        #expect(error?.offset == testCase.offset)
        #expect(error?.fieldPath == testCase.path)
    }

    @Test func descriptionNamesCodePathAndOffset() {
        let error = WireDecodingError(.invalidUTF8, offset: 8, fieldPath: "items[2].sku")
        #expect(error.description.hasPrefix("invalidUTF8 at items[2].sku (byte offset 8)"))
        #expect(WireDecodingError(.fieldNumberZero, offset: 0).description.contains("at $ "))
    }

    @Test func deeplyNestedUnknownGroupsHitTheDepthLimitInsteadOfTheStack() throws {
        let bytes = (0..<100_000).flatMap { _ in [UInt8]([0xBB, 0x3E]) }  // field 999 start-group tags
        let error = #expect(throws: WireDecodingError.self) {
            try WireFixtures.decode(bytes, as: WireFixtures.allTypes())
        }
        #expect(error?.code == .depthLimitExceeded)
    }

    @Test func deeplyNestedMessagesHitTheDepthLimit() throws {
        // recursive { recursive { ... } } 5000 levels deep, built from the inside out.
        var payload: [UInt8] = []
        for _ in 0..<5000 { payload = [0x82, 0x05] + Bytes.varint(UInt64(payload.count)) + payload }
        let error = #expect(throws: WireDecodingError.self) {
            try WireFixtures.decode(payload, as: WireFixtures.allTypes())
        }
        #expect(error?.code == .depthLimitExceeded)
        #expect(error?.fieldPath.hasPrefix("recursive.recursive.recursive") == true)
    }
}
