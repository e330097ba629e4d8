import Tandem
import Testing

@testable import TandemProto

/// The strict JSON reader and the writer.
@Suite("JSON value: reading and writing")
struct JSONValueTests {
    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let input: String
        let code: JSONParseError.Code
        let offset: Int
        let path: String
        var testDescription: String { input }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(input: #"{"a":1,"a":2}"#, code: .duplicateKey, offset: 7, path: "$.a"),
        ErrorCase(
            input: #"{"items":[{"sku":1},{"sku":2,"sku":3}]}"#, code: .duplicateKey, offset: 29,
            path: "$.items[1].sku"),
        ErrorCase(input: #"{"items":[1,2,{"sku":tru}]}"#, code: .syntax, offset: 21, path: "$.items[2].sku"),
        ErrorCase(input: "[1,]", code: .syntax, offset: 3, path: "$[1]"),
        ErrorCase(input: #"{"a":1,}"#, code: .syntax, offset: 7, path: "$"),
        ErrorCase(input: "[01]", code: .invalidNumber, offset: 2, path: "$[0]"),
        ErrorCase(input: "1.", code: .invalidNumber, offset: 2, path: "$"),
        ErrorCase(input: "-", code: .invalidNumber, offset: 1, path: "$"),
        ErrorCase(input: "+1", code: .syntax, offset: 0, path: "$"),
        ErrorCase(input: ".5", code: .syntax, offset: 0, path: "$"),
        ErrorCase(input: "1e", code: .invalidNumber, offset: 2, path: "$"),
        ErrorCase(input: #"["\x"]"#, code: .invalidEscape, offset: 2, path: "$[0]"),
        ErrorCase(input: #"["\u12G4"]"#, code: .invalidEscape, offset: 2, path: "$[0]"),
        ErrorCase(input: #"{"k":"\uD800"}"#, code: .loneSurrogate, offset: 6, path: "$.k"),
        ErrorCase(input: #"{"k":"\uDC00\uD800"}"#, code: .loneSurrogate, offset: 6, path: "$.k"),
        ErrorCase(input: #"{"k":"\uD800\u0041"}"#, code: .loneSurrogate, offset: 6, path: "$.k"),
        ErrorCase(input: "\"a\u{1}b\"", code: .controlCharacter, offset: 2, path: "$"),
        ErrorCase(input: "\"abc", code: .unexpectedEnd, offset: 4, path: "$"),
        ErrorCase(input: "", code: .unexpectedEnd, offset: 0, path: "$"),
        ErrorCase(input: "1 2", code: .syntax, offset: 2, path: "$"),
        ErrorCase(input: "nul", code: .syntax, offset: 0, path: "$"),
        ErrorCase(input: "NaN", code: .syntax, offset: 0, path: "$"),
        ErrorCase(input: #"{"a b":[{"c":[}]}"#, code: .syntax, offset: 14, path: #"$["a b"][0].c[0]"#),
        ErrorCase(input: "{'a':1}", code: .syntax, offset: 1, path: "$"),
    ]

    @Test("malformed documents fail with code, offset and path", arguments: errorCases)
    func malformedDocumentsFailWithOffsetAndPath(_ testCase: ErrorCase) {
        #expect {
            _ = try JSONValue(parsing: testCase.input)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            #expect(error.code == testCase.code, "\(error)")
            #expect(error.offset == testCase.offset, "\(error)")
            #expect(error.path.description == testCase.path, "\(error)")
            return error.code == testCase.code && error.offset == testCase.offset
                && error.path.description == testCase.path
        }
    }

    static let invalidUTF8: [([UInt8], Int)] = [
        ([0x22, 0xFF, 0x22], 1),  // never a UTF-8 byte
        ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong three-byte
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
        ([0x22, 0xE6, 0x97, 0x22], 3),  // truncated
        ([0x22, 0x61, 0x5C, 0x6E, 0x80, 0x22], 4),  // continuation byte after an escape
    ]

    @Test("invalid UTF-8 inside strings is an error at its offset", arguments: invalidUTF8)
    func invalidUTF8IsAnError(bytes: [UInt8], offset: Int) {
        #expect {
            _ = try JSONValue(parsing: bytes)
        } throws: { error in
            (error as? JSONParseError)?.code == .invalidUTF8 && (error as? JSONParseError)?.offset == offset
        }
    }

    static let stringCases: [(String, String)] = [
        (#""plain""#, "plain"),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u00e9\u65E5""#, "é日"),
        (#""\ud83d\ude42""#, "🙂"),
        (#""\uD83D\uDE42 and 🙃""#, "🙂 and 🙃"),
        (#""\u0000""#, "\u{0}"),
        ("\"日本語\"", "日本語"),
    ]

    @Test("strings decode escapes and surrogate pairs", arguments: stringCases)
    func stringsDecodeEscapes(json: String, expected: String) throws {
        #expect(try JSONValue(parsing: json) == .string(expected))
    }

    @Test("numbers keep their literal text, 64-bit values exactly")
    func numbersKeepLiteralText() throws {
        let value = try JSONValue(parsing: "[18446744073709551615,-9223372036854775808,1.50,1E+2,-0,0.000001e-7]")
        #expect(
            value
                == .array([
                    .number("18446744073709551615"), .number("-9223372036854775808"),
                    .number("1.50"), .number("1E+2"), .number("-0"), .number("0.000001e-7"),
                ]))
        #expect(value[1]?.int64Value == Int64.min)
    }

    @Test("objects keep member order and look up by key")
    func objectsKeepMemberOrder() throws {
        let value = try JSONValue(parsing: #" { "z" : 1 , "a" : [ true , false , null ] , "m" : {} } "#)
        #expect(value.objectMembers?.map(\.key) == ["z", "a", "m"])
        #expect(value["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["m"] == .object([]))
        #expect(value["missing"] == nil)
    }

    @Test("duplicate keys are found in large objects too")
    func duplicateKeysInLargeObjects() {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{\(members),\"k3\":0}") }
        #expect((try? JSONValue(parsing: "{\(members)}"))?.objectMembers?.count == 40)
    }

    @Test("nesting is limited to maxDepth", arguments: [1, 2, 100])
    func nestingIsLimited(depth: Int) throws {
        let ok = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try JSONValue(parsing: ok, maxDepth: depth)
        let deep = "[" + ok + "]"
        #expect {
            _ = try JSONValue(parsing: deep, maxDepth: depth)
        } throws: { error in
            (error as? JSONParseError)?.code == .depthLimit && (error as? JSONParseError)?.offset == depth
        }
    }

    @Test("default depth limit rejects 101 nested objects without crashing on 100,000")
    func defaultDepthLimit() {
        let deep = String(repeating: #"{"a":"#, count: 101) + "1" + String(repeating: "}", count: 101)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let huge = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: huge, maxDepth: .max) }
        // The ceiling itself is reachable without exhausting the stack.
        let ceiling = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect((try? JSONValue(parsing: ceiling, maxDepth: .max)) != nil)
    }

    @Test("compact writing escapes what RFC 8259 requires and keeps non-ASCII")
    func compactWriting() {
        let value = JSONValue.object([
            "s": .string("q\"b\\n\n\u{1}é🙂/"), "n": .number("-1.5e3"), "a": .array([.null, .bool(true)]),
            "o": .object([]), "e": .array([]),
        ])
        #expect(value.jsonString() == #"{"s":"q\"b\\n\n\u0001é🙂/","n":-1.5e3,"a":[null,true],"o":{},"e":[]}"#)
    }

    @Test("pretty writing indents one member a line")
    func prettyWriting() {
        let value = JSONValue.object(["a": .array([.number("1"), .object(["b": .null])]), "c": .object([])])
        let expected = """
            {
               "a": [
                  1,
                  {
                     "b": null
                  }
               ],
               "c": {}
            }
            """
        #expect(value.jsonString(options: JSONWritingOptions(pretty: true, indent: 3)) == expected)
    }

    @Test("writing then reading gives the same value")
    func writeReadRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let value = RandomJSON.randomValue(&rng, depth: 4)
            let compact = value.jsonString()
            #expect(try JSONValue(parsing: compact) == value, "\(compact)")
            let pretty = value.jsonString(options: .init(pretty: true))
            #expect(try JSONValue(parsing: pretty) == value)
        }
    }

    @Test("paths render keys that are not identifiers in brackets")
    func pathRendering() {
        let path = JSONPath([.key("items"), .index(2), .key("sku"), .key("a.b"), .key("@type"), .key("1x")])
        #expect(path.description == #"$.items[2].sku["a.b"].@type["1x"]"#)
    }
}

/// Random JSON values for the property tests, drawn from the package's SplitMix64 so every run is reproducible.
enum RandomJSON {
    static let strings = ["", "a", "é", "日本", "🙂", "\u{0}\u{1F}", "\"\\/", "line\nbreak", "\u{7F}\u{2028}"]

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 0 ? 7 : 5) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .integer(Int64(bitPattern: rng.next()))
        case 3: return .double(Double(bitPattern: rng.next())) ?? .number("1e-300")
        case 4: return .string(strings[Int(rng.next() % UInt64(strings.count))])
        case 5: return .array((0..<(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth - 1) })
        default:
            return .object((0..<(rng.next() % 4)).map { i in .init("k\(i)", randomValue(&rng, depth: depth - 1)) })
        }
    }
}
