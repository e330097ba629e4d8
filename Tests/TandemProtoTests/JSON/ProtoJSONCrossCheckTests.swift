import Foundation
import SwiftProtobuf
import Tandem
import Testing

@testable import TandemProto

/// Proto3 JSON agrees with swift-protobuf's generated code on hundreds of seeded random messages, well-known types
/// included.
@Suite("Proto3 JSON agrees with generated code")
struct ProtoJSONCrossCheckTests {
    static let seeds: [UInt64] = Array(1...300)

    @Test("generated code's JSON reads dynamically to the same message", arguments: seeds)
    func generatedJSONReadsToSameMessage(seed: UInt64) throws {
        #expect(JSONFixtures.registered || true)
        var rng = SplitMix64(seed: seed)
        let generated = try JSONRandomRecords.record(&rng, depth: 2)
        let json = try generated.jsonString()
        let dynamic = try JSONFixtures.parse(json)
        let back = try JSONFixtures.generated(dynamic)
        #expect(try JSONFixtures.settled(back) == JSONFixtures.settled(generated), "seed \(seed): \(json)")
        // The same through the .proto field names.
        var protoNames = JSONEncodingOptions()
        protoNames.preserveProtoFieldNames = true
        let byProtoName = try JSONFixtures.parse(try generated.jsonString(options: protoNames))
        #expect(byProtoName == dynamic, "seed \(seed)")
    }

    @Test("our JSON reads back with generated code to an equal message", arguments: seeds)
    func ourJSONReadsWithGeneratedCode(seed: UInt64) throws {
        #expect(JSONFixtures.registered || true)
        var rng = SplitMix64(seed: seed)
        let generated = try JSONRandomRecords.record(&rng, depth: 2)
        let dynamic = try JSONFixtures.dynamic(generated)
        let json = try dynamic.jsonString()
        let back = try JSONFixtures.settled(try Tandem_Json_V1_Record(jsonString: json))
        #expect(try back == JSONFixtures.settled(generated), "seed \(seed): \(json)")
        // And our JSON reads back to our message.
        #expect(try JSONFixtures.parse(json) == dynamic, "seed \(seed)")
    }

    static let optionSets: [ProtoJSONOptions] = [
        ProtoJSONOptions(useProtoFieldNames: true),
        ProtoJSONOptions(alwaysPrintFieldsWithNoPresence: true),
        ProtoJSONOptions(alwaysPrintEnumsAsInts: true),
        ProtoJSONOptions(pretty: true, indent: 4),
        ProtoJSONOptions(
            useProtoFieldNames: true, alwaysPrintFieldsWithNoPresence: true, alwaysPrintEnumsAsInts: true,
            pretty: true),
    ]

    @Test(
        "with options set, our JSON still reads back with generated code",
        arguments: optionSets, Array(seeds.prefix(40)))
    func optionsKeepRoundTrip(options: ProtoJSONOptions, seed: UInt64) throws {
        #expect(JSONFixtures.registered || true)
        var rng = SplitMix64(seed: seed)
        let generated = try JSONRandomRecords.record(&rng, depth: 1)
        let dynamic = try JSONFixtures.dynamic(generated)
        let json = try dynamic.jsonString(options: options)
        #expect(
            try JSONFixtures.settled(try Tandem_Json_V1_Record(jsonString: json)) == JSONFixtures.settled(generated),
            "seed \(seed): \(json)")
        #expect(try JSONFixtures.parse(json) == dynamic, "seed \(seed)")
    }

    @Test("alwaysPrintFieldsWithNoPresence writes defaults of fields without presence only")
    func defaultsOfFieldsWithoutPresence() throws {
        let dynamic = DynamicMessage(descriptor: try JSONFixtures.record(), schema: try JSONFixtures.schema())
        let json = try dynamic.jsonString(options: ProtoJSONOptions(alwaysPrintFieldsWithNoPresence: true))
        let expected =
            #"{"fInt32":0,"fInt64":"0","fUint32":0,"fUint64":"0","fSint64":"0","fFixed64":"0","fSfixed32":0,"#
            + #""fFloat":0.0,"fDouble":0.0,"fBool":false,"fString":"","fBytes":"","status":"STATUS_UNSPECIFIED","#
            + #""rInt64":[],"rDouble":[],"rStatus":[],"rAddress":[],"rBytes":[],"mStringInt64":{},"mInt32Address":{},"#
            + #""mBoolString":{},"mUint64Status":{},"mSint32Bytes":{},"nullValue":null,"rTimestamps":[],"rValues":[],"#
            + #""mDurations":{},"rAny":[]}"#
        #expect(json == expected)
        // Generated code reads it back as the empty message.
        #expect(try Tandem_Json_V1_Record(jsonString: json) == Tandem_Json_V1_Record())
        #expect(try JSONFixtures.parse(json) == dynamic)
    }
}
