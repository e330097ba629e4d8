import Foundation
import Tandem
import Testing

@testable import TandemProto

/// Edge cases of the ProtoJSON mapping: limits, special values, encodings, and every error with its path.
@Suite("Proto3 JSON edge cases")
struct ProtoJSONEdgeCaseTests {
    /// A JSON input, and the JSON the message prints back as (compact).
    struct RoundTrip: CustomTestStringConvertible, Sendable {
        let input: String
        let printed: String
        var testDescription: String { input }
        init(_ input: String, _ printed: String) {
            self.input = input
            self.printed = printed
        }
    }

    static let roundTrips: [RoundTrip] = [
        // Timestamps: range limits, fractional digits printed in groups of 3, offsets normalised to Z.
        RoundTrip(#"{"createdAt":"0001-01-01T00:00:00Z"}"#, #"{"createdAt":"0001-01-01T00:00:00Z"}"#),
        RoundTrip(
            #"{"createdAt":"9999-12-31T23:59:59.999999999Z"}"#,
            #"{"createdAt":"9999-12-31T23:59:59.999999999Z"}"#),
        RoundTrip(#"{"createdAt":"1970-01-01T00:00:00.5Z"}"#, #"{"createdAt":"1970-01-01T00:00:00.500Z"}"#),
        RoundTrip(#"{"createdAt":"1969-12-31T23:59:59.000001Z"}"#, #"{"createdAt":"1969-12-31T23:59:59.000001Z"}"#),
        RoundTrip(#"{"createdAt":"2024-02-29T12:00:00+01:30"}"#, #"{"createdAt":"2024-02-29T10:30:00Z"}"#),
        RoundTrip(#"{"createdAt":"0001-01-01T00:30:00+00:30"}"#, #"{"createdAt":"0001-01-01T00:00:00Z"}"#),
        // Durations: sign, fractions, range limits.
        RoundTrip(#"{"ttl":"1.5s"}"#, #"{"ttl":"1.500s"}"#),
        RoundTrip(#"{"ttl":"-0.000000001s"}"#, #"{"ttl":"-0.000000001s"}"#),
        RoundTrip(#"{"ttl":"315576000000.999999999s"}"#, #"{"ttl":"315576000000.999999999s"}"#),
        RoundTrip(#"{"ttl":"-315576000000s"}"#, #"{"ttl":"-315576000000s"}"#),
        RoundTrip(#"{"ttl":"0s"}"#, #"{"ttl":"0s"}"#),
        // 64-bit integers: strings out, strings or numbers in, exact at the limits.
        RoundTrip(#"{"fUint64":18446744073709551615}"#, #"{"fUint64":"18446744073709551615"}"#),
        RoundTrip(#"{"fUint64":"18446744073709551615"}"#, #"{"fUint64":"18446744073709551615"}"#),
        RoundTrip(#"{"fInt64":"-9223372036854775808"}"#, #"{"fInt64":"-9223372036854775808"}"#),
        RoundTrip(#"{"fInt64":-9223372036854775808}"#, #"{"fInt64":"-9223372036854775808"}"#),
        RoundTrip(#"{"fSint64":"9223372036854775807"}"#, #"{"fSint64":"9223372036854775807"}"#),
        RoundTrip(#"{"fFixed64":"1e19"}"#, #"{"fFixed64":"10000000000000000000"}"#),
        // 32-bit integers: exponent and exact integral fractions accepted.
        RoundTrip(#"{"fInt32":1e2}"#, #"{"fInt32":100}"#),
        RoundTrip(#"{"fInt32":"1.0"}"#, #"{"fInt32":1}"#),
        RoundTrip(#"{"fInt32":-2147483648}"#, #"{"fInt32":-2147483648}"#),
        RoundTrip(#"{"fUint32":"4294967295"}"#, #"{"fUint32":4294967295}"#),
        RoundTrip(#"{"fUint32":-0}"#, #"{}"#),
        RoundTrip(#"{"fInt32":1500e-1}"#, #"{"fInt32":150}"#),
        // Floating point: specials as strings, -0 kept, exponent forms.
        RoundTrip(#"{"fDouble":"NaN"}"#, #"{"fDouble":"NaN"}"#),
        RoundTrip(#"{"fDouble":"Infinity","fFloat":"-Infinity"}"#, #"{"fFloat":"-Infinity","fDouble":"Infinity"}"#),
        RoundTrip(#"{"fDouble":-0}"#, #"{"fDouble":-0.0}"#),
        RoundTrip(#"{"fDouble":"1e3"}"#, #"{"fDouble":1000.0}"#),
        RoundTrip(#"{"fDouble":1.7976931348623157e308}"#, #"{"fDouble":1.7976931348623157e+308}"#),
        RoundTrip(#"{"fFloat":3.4028235e38}"#, #"{"fFloat":3.4028235e+38}"#),
        RoundTrip(#"{"fFloat":0.1}"#, #"{"fFloat":0.1}"#),
        RoundTrip(#"{"wDouble":"NaN","wFloat":1}"#, #"{"wDouble":"NaN","wFloat":1.0}"#),
        // Bytes: standard, URL-safe, unpadded; printed standard with padding.
        RoundTrip(#"{"fBytes":"+/+/"}"#, #"{"fBytes":"+/+/"}"#),
        RoundTrip(#"{"fBytes":"-_-_"}"#, #"{"fBytes":"+/+/"}"#),
        RoundTrip(#"{"fBytes":"YQ"}"#, #"{"fBytes":"YQ=="}"#),
        RoundTrip(#"{"fBytes":"YWI="}"#, #"{"fBytes":"YWI="}"#),
        RoundTrip(#"{"fBytes":"YWI"}"#, #"{"fBytes":"YWI="}"#),
        RoundTrip(#"{"fBytes":""}"#, #"{}"#),
        // Strings: escapes and surrogate pairs in, UTF-8 out.
        RoundTrip(#"{"fString":"\ud83d\ude42\u00e9\n\u0001"}"#, #"{"fString":"🙂é\n\u0001"}"#),
        // Enums: name or number in; name out, number when undeclared.
        RoundTrip(
            #"{"status":"STATUS_ACTIVE","rStatus":[2,"STATUS_ACTIVE",7]}"#,
            #"{"status":"STATUS_ACTIVE","rStatus":["STATUS_SUSPENDED","STATUS_ACTIVE",7]}"#),
        RoundTrip(
            #"{"oStatus":"STATUS_UNSPECIFIED","oInt32":0,"oString":""}"#,
            #"{"oInt32":0,"oString":"","oStatus":"STATUS_UNSPECIFIED"}"#),
        // Proto field names accepted; null means absent.
        RoundTrip(#"{"f_int32":5,"address":{"postal_code":"0150"}}"#, #"{"fInt32":5,"address":{"postalCode":"0150"}}"#),
        RoundTrip(#"{"fInt32":null,"address":null,"rInt64":null,"mBoolString":null,"createdAt":null}"#, #"{}"#),
        // Maps with typed keys.
        RoundTrip(
            #"{"mBoolString":{"true":"t","false":"f"},"mUint64Status":{"18446744073709551615":1}}"#,
            #"{"mBoolString":{"false":"f","true":"t"},"mUint64Status":{"18446744073709551615":"STATUS_ACTIVE"}}"#),
        RoundTrip(
            #"{"mInt32Address":{"-5":{"city":"x"},"10":{},"2":{}}}"#,
            #"{"mInt32Address":{"-5":{"city":"x"},"2":{},"10":{}}}"#),
        // Wrappers are bare values; a wrapper holding its default is still present.
        RoundTrip(
            #"{"wInt64":"0","wBool":false,"wString":"","wBytes":"AA==","wUint64":7}"#,
            #"{"wInt64":"0","wUint64":"7","wBool":false,"wString":"","wBytes":"AA=="}"#),
        // Struct, Value, ListValue, NullValue.
        RoundTrip(
            #"{"attributes":{"a":[1,"x",null,{"b":true}]},"dynamic":null,"list":[[],{}],"nullValue":null}"#,
            #"{"attributes":{"a":[1.0,"x",null,{"b":true}]},"dynamic":null,"list":[[],{}]}"#),
        RoundTrip(#"{"rValues":[null,0,false]}"#, #"{"rValues":[null,0.0,false]}"#),
        // FieldMask and Empty.
        RoundTrip(#"{"mask":"a,postalCode,address.postalCode"}"#, #"{"mask":"a,postalCode,address.postalCode"}"#),
        RoundTrip(#"{"mask":""}"#, #"{"mask":""}"#),
        RoundTrip(#"{"nothing":{}}"#, #"{"nothing":{}}"#),
        // Any: regular messages inline, well-known types under "value", @type anywhere.
        RoundTrip(
            #"{"payload":{"city":"Oslo","@type":"type.googleapis.com/tandem.json.v1.Address"}}"#,
            #"{"payload":{"@type":"type.googleapis.com/tandem.json.v1.Address","city":"Oslo"}}"#),
        RoundTrip(
            #"{"payload":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"2s"}}"#,
            #"{"payload":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"2s"}}"#),
        RoundTrip(
            #"{"payload":{"@type":"type.googleapis.com/google.protobuf.Empty","value":{}}}"#,
            #"{"payload":{"@type":"type.googleapis.com/google.protobuf.Empty"}}"#),
        RoundTrip(#"{"payload":{}}"#, #"{"payload":{}}"#),
        RoundTrip(
            #"{"rAny":[{"@type":"x/google.protobuf.Value","value":{"k":[1]}}]}"#,
            #"{"rAny":[{"@type":"x/google.protobuf.Value","value":{"k":[1.0]}}]}"#),
        // Oneof: one member set, null members ignored.
        RoundTrip(#"{"cString":"","cAddress":null}"#, #"{"cString":""}"#),
        RoundTrip(#"{"cTimestamp":"2000-01-01T00:00:00Z"}"#, #"{"cTimestamp":"2000-01-01T00:00:00Z"}"#),
    ]

    @Test("inputs read and print back in canonical form", arguments: roundTrips)
    func inputsPrintCanonically(_ testCase: RoundTrip) throws {
        let message = try JSONFixtures.parse(testCase.input)
        let printed = try message.jsonString()
        #expect(printed == testCase.printed)
        #expect(try JSONFixtures.parse(printed) == message, "printed form reads back to the same message")
    }

    /// A JSON input that must fail, with its code and path.
    struct Failure: CustomTestStringConvertible, Sendable {
        let input: String
        let code: ProtoJSONError.Code
        let path: String
        var testDescription: String { "\(code): \(input)" }
        init(_ input: String, _ code: ProtoJSONError.Code, _ path: String) {
            self.input = input
            self.code = code
            self.path = path
        }
    }

    static let failures: [Failure] = [
        // Timestamps just outside the range, and malformed ones.
        Failure(#"{"createdAt":"0000-12-31T23:59:59Z"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"10000-01-01T00:00:00Z"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"0001-01-01T00:00:00+00:01"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"9999-12-31T23:59:59-00:01"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"2023-02-29T00:00:00Z"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"2023-01-01T00:00:00.1234567891Z"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"2023-01-01T00:00:00"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":"2023-01-01 00:00:00Z"}"#, .invalidTimestamp, "$.createdAt"),
        Failure(#"{"createdAt":1700000000}"#, .wrongType, "$.createdAt"),
        Failure(#"{"rTimestamps":["2000-01-01T00:00:00Z","bad"]}"#, .invalidTimestamp, "$.rTimestamps[1]"),
        // Durations.
        Failure(#"{"ttl":"315576000001s"}"#, .invalidDuration, "$.ttl"),
        Failure(#"{"ttl":"1.5"}"#, .invalidDuration, "$.ttl"),
        Failure(#"{"ttl":"1.0000000001s"}"#, .invalidDuration, "$.ttl"),
        Failure(#"{"ttl":"+1s"}"#, .invalidDuration, "$.ttl"),
        Failure(#"{"mDurations":{"k":"s"}}"#, .invalidDuration, "$.mDurations.k"),
        // Integers.
        Failure(#"{"fUint64":18446744073709551616}"#, .outOfRange, "$.fUint64"),
        Failure(#"{"fUint64":"-1"}"#, .outOfRange, "$.fUint64"),
        Failure(#"{"fInt64":"-9223372036854775809"}"#, .outOfRange, "$.fInt64"),
        Failure(#"{"fInt32":2147483648}"#, .outOfRange, "$.fInt32"),
        Failure(#"{"fUint32":-1}"#, .outOfRange, "$.fUint32"),
        Failure(#"{"fInt32":1.5}"#, .invalidNumber, "$.fInt32"),
        Failure(#"{"fInt32":"1x"}"#, .invalidNumber, "$.fInt32"),
        Failure(#"{"fInt32":" 1"}"#, .invalidNumber, "$.fInt32"),
        Failure(#"{"fInt32":true}"#, .wrongType, "$.fInt32"),
        Failure(#"{"fInt64":1e400}"#, .outOfRange, "$.fInt64"),
        Failure(#"{"rInt64":["1",2,"x"]}"#, .invalidNumber, "$.rInt64[2]"),
        // Floating point.
        Failure(#"{"fDouble":1e309}"#, .outOfRange, "$.fDouble"),
        Failure(#"{"fFloat":3.5e38}"#, .outOfRange, "$.fFloat"),
        Failure(#"{"fDouble":"nan"}"#, .invalidNumber, "$.fDouble"),
        Failure(#"{"fDouble":"inf"}"#, .invalidNumber, "$.fDouble"),
        Failure(#"{"dynamic":1e999}"#, .outOfRange, "$.dynamic"),
        // Bytes.
        Failure(#"{"fBytes":"YQ="}"#, .invalidBase64, "$.fBytes"),
        Failure(#"{"fBytes":"Y"}"#, .invalidBase64, "$.fBytes"),
        Failure(#"{"fBytes":"a b="}"#, .invalidBase64, "$.fBytes"),
        Failure(#"{"rBytes":["AA==","*"]}"#, .invalidBase64, "$.rBytes[1]"),
        // Wrong kinds.
        Failure(#"{"fBool":"true"}"#, .wrongType, "$.fBool"),
        Failure(#"{"fString":1}"#, .wrongType, "$.fString"),
        Failure(#"{"address":[]}"#, .wrongType, "$.address"),
        Failure(#"{"rInt64":{}}"#, .wrongType, "$.rInt64"),
        Failure(#"{"rAddress":[{},null]}"#, .wrongType, "$.rAddress[1]"),
        Failure(#"{"mStringInt64":{"a":null}}"#, .wrongType, "$.mStringInt64.a"),
        Failure(#"{"wInt32":"x"}"#, .invalidNumber, "$.wInt32"),
        Failure(#"[]"#, .wrongType, "$"),
        // Unknown fields and enum values.
        Failure(#"{"address":{"city":"x","planet":"Mars"}}"#, .unknownField, "$.address.planet"),
        Failure(#"{"status":"STATUS_GONE"}"#, .unknownEnumValue, "$.status"),
        Failure(#"{"mUint64Status":{"1":"NOPE"}}"#, .unknownEnumValue, #"$.mUint64Status["1"]"#),
        Failure(#"{"status":1.5}"#, .invalidNumber, "$.status"),
        // Map keys.
        Failure(#"{"mBoolString":{"yes":"x"}}"#, .wrongType, "$.mBoolString.yes"),
        Failure(#"{"mInt32Address":{"x":{}}}"#, .invalidNumber, "$.mInt32Address.x"),
        Failure(#"{"mInt32Address":{"1":{},"1.0":{}}}"#, .duplicateKey, #"$.mInt32Address["1.0"]"#),
        // Duplicates and oneofs.
        Failure(#"{"address":{"city":"a","city":"b"}}"#, .duplicateKey, "$.address.city"),
        Failure(#"{"fInt32":1,"f_int32":2}"#, .duplicateField, "$.f_int32"),
        Failure(#"{"cString":"a","cAddress":{}}"#, .oneofConflict, "$.cAddress"),
        Failure(#"{"child":{"cTimestamp":"2000-01-01T00:00:00Z","c_string":""}}"#, .oneofConflict, "$.child.c_string"),
        // Field masks.
        Failure(#"{"mask":"a_b"}"#, .invalidFieldMask, "$.mask"),
        // Any.
        Failure(#"{"payload":{"@type":"type.googleapis.com/acme.Nope"}}"#, .unknownAnyType, "$.payload.@type"),
        Failure(#"{"payload":{"city":"x"}}"#, .invalidAny, "$.payload"),
        Failure(#"{"payload":{"@type":"nourl"}}"#, .invalidAny, "$.payload.@type"),
        Failure(#"{"payload":{"@type":"t/google.protobuf.Duration","seconds":1}}"#, .invalidAny, "$.payload.seconds"),
        Failure(
            #"{"payload":{"@type":"t/google.protobuf.Duration","value":"x"}}"#, .invalidDuration, "$.payload.value"),
        Failure(#"{"payload":{"@type":"t/tandem.json.v1.Address","town":"x"}}"#, .unknownField, "$.payload.town"),
        // Malformed JSON and depth.
        Failure(#"{"fInt32":1,}"#, .malformedJSON, "$"),
        Failure(#"{"fString":"\uDE00"}"#, .malformedJSON, "$.fString"),
    ]

    @Test("invalid inputs fail with their code and JSON path", arguments: failures)
    func invalidInputsFail(_ testCase: Failure) throws {
        let error = try #require(try JSONFixtures.parseError(testCase.input), "expected \(testCase.code)")
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.path.description == testCase.path, "\(error)")
        #expect(error.description.contains(testCase.code.rawValue) && error.description.contains(testCase.path))
    }

    @Test("unknown fields and enum names are skipped with ignoreUnknownFields")
    func ignoreUnknownFields() throws {
        let options = ProtoJSONOptions(ignoreUnknownFields: true)
        let json =
            #"{"planet":{"x":[1]},"status":"STATUS_GONE","fInt32":3,"rStatus":["NOPE",1],"mUint64Status":{"1":"NOPE","2":2},"address":{"town":1,"city":"c"}}"#
        let message = try JSONFixtures.parse(json, options: options)
        #expect(
            try message.jsonString()
                == #"{"fInt32":3,"address":{"city":"c"},"rStatus":["STATUS_ACTIVE"],"mUint64Status":{"2":"STATUS_SUSPENDED"}}"#
        )
        // Malformed values are still errors.
        #expect(try JSONFixtures.parseError(#"{"planet":1,"fInt32":"x"}"#, options: options)?.code == .invalidNumber)
    }

    @Test("deep nesting is a depthLimit error, not a crash", arguments: [101, 5_000])
    func deepNesting(levels: Int) throws {
        let json = String(repeating: #"{"child":"#, count: levels) + "{}" + String(repeating: "}", count: levels)
        let error = try #require(try JSONFixtures.parseError(json))
        #expect(error.code == .depthLimit)
        let values = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        #expect(try JSONFixtures.parseError(#"{"dynamic":"# + values + "}")?.code == .depthLimit)
    }

    @Test("nesting within the limit reads", arguments: [10, 99])
    func nestingWithinLimit(levels: Int) throws {
        let json =
            String(repeating: #"{"child":"#, count: levels) + #"{"fInt32":1}"# + String(repeating: "}", count: levels)
        let message = try JSONFixtures.parse(json)
        #expect(try message.jsonString() == json)
    }

    @Test("proto field names are printed with useProtoFieldNames")
    func protoFieldNames() throws {
        let message = try JSONFixtures.parse(
            #"{"fInt32":1,"address":{"postalCode":"0150"},"createdAt":"2000-01-01T00:00:00Z"}"#)
        #expect(
            try message.jsonString(options: ProtoJSONOptions(useProtoFieldNames: true))
                == #"{"f_int32":1,"address":{"postal_code":"0150"},"created_at":"2000-01-01T00:00:00Z"}"#)
    }

    @Test("values with no JSON form fail to print, with their path")
    func unprintableValues() throws {
        let schema = try JSONFixtures.schema()
        let record = try JSONFixtures.record()
        let timestampType = try JSONFixtures.message("google.protobuf.Timestamp")
        var timestamp = DynamicMessage(descriptor: timestampType, schema: schema)
        try timestamp.set(named: "seconds", to: .int64(253_402_300_800))
        var message = DynamicMessage(descriptor: record, schema: schema)
        try message.append(.message(timestamp), toNamed: "r_timestamps")
        #expect {
            _ = try message.jsonValue()
        } throws: { error in
            (error as? ProtoJSONError)?.code == .invalidTimestamp
                && (error as? ProtoJSONError)?.path.description == "$.rTimestamps[0]"
        }
        // Reports render it anyway, as its fields.
        let field = try #require(record.field(named: "r_timestamps"))
        #expect(
            ProtoJSON.value(.message(timestamp), field: field, schema: schema)
                == .object(["seconds": .string("253402300800")]))

        let durationType = try JSONFixtures.message("google.protobuf.Duration")
        var duration = DynamicMessage(descriptor: durationType, schema: schema)
        try duration.set(named: "seconds", to: .int64(1))
        try duration.set(named: "nanos", to: .int32(-1))
        var withDuration = DynamicMessage(descriptor: record, schema: schema)
        try withDuration.set(named: "ttl", to: .message(duration))
        #expect(throws: ProtoJSONError.self) { try withDuration.jsonValue() }

        let valueType = try JSONFixtures.message("google.protobuf.Value")
        var nan = DynamicMessage(descriptor: valueType, schema: schema)
        try nan.set(named: "number_value", to: .double(.nan))
        var withNaN = DynamicMessage(descriptor: record, schema: schema)
        try withNaN.set(named: "dynamic", to: .message(nan))
        #expect(throws: ProtoJSONError.self) { try withNaN.jsonValue() }
        let dynamicField = try #require(record.field(named: "dynamic"))
        #expect(ProtoJSON.value(.message(nan), field: dynamicField, schema: schema) == .string("NaN"))
    }

    @Test("single values render in their element form for reports")
    func singleValues() throws {
        let schema = try JSONFixtures.schema()
        let record = try JSONFixtures.record()
        func field(_ name: String) throws -> FieldDescriptor { try #require(record.field(named: name)) }
        #expect(
            ProtoJSON.value(.int64(.min), field: try field("r_int64"), schema: schema)
                == .string("-9223372036854775808"))
        #expect(
            ProtoJSON.value(.enumValue(2), field: try field("r_status"), schema: schema) == .string("STATUS_SUSPENDED"))
        #expect(ProtoJSON.value(.enumValue(9), field: try field("status"), schema: schema) == .number("9"))
        #expect(ProtoJSON.value(.bytes([0xFB, 0xFF]), field: try field("r_bytes"), schema: schema) == .string("+/8="))
        #expect(
            ProtoJSON.value(.double(-.infinity), field: try field("r_double"), schema: schema) == .string("-Infinity"))
        #expect(ProtoJSON.value(.enumValue(0), field: try field("null_value"), schema: schema) == .null)
        let message = try JSONFixtures.parse(#"{"address":{"city":"Bergen"}}"#)
        let address = try #require(message.get(named: "address"))
        #expect(
            ProtoJSON.value(address, field: try field("address"), schema: schema)
                == .object(["city": .string("Bergen")]))
    }

    @Test("pretty output indents with the configured width")
    func prettyOutput() throws {
        let message = try JSONFixtures.parse(#"{"fInt32":1,"address":{"city":"x"}}"#)
        let expected = "{\n    \"fInt32\": 1,\n    \"address\": {\n        \"city\": \"x\"\n    }\n}"
        #expect(try message.jsonString(options: ProtoJSONOptions(pretty: true, indent: 4)) == expected)
    }

    @Test(
        "mutated and truncated inputs never crash; whatever reads prints and reads back the same",
        arguments: Array(UInt64(1)...UInt64(40)))
    func mutatedInputsNeverCrash(seed: UInt64) throws {
        _ = JSONFixtures.registered
        var rng = SplitMix64(seed: seed)
        let generated = try JSONRandomRecords.record(&rng, depth: 1)
        let valid = Array(try JSONFixtures.dynamic(generated).jsonString().utf8)
        let alphabet = Array(#"{}[]":,-+.0123456789eEtrufalsn\/ "#.utf8) + [0x80, 0xFF, 0xC3, 0x00]
        for _ in 0..<50 {
            var bytes = valid
            for _ in 0..<(1 + rng.next() % 4) where !bytes.isEmpty {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.removeSubrange(position...)
                }
            }
            let descriptor = try JSONFixtures.record()
            let schema = try JSONFixtures.schema()
            guard let message = try? DynamicMessage(jsonUTF8: bytes, descriptor: descriptor, schema: schema) else {
                continue
            }
            let printed = try message.jsonString()
            #expect(
                try JSONFixtures.parse(printed) == message, "seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
