import Foundation
import SwiftProtobuf
import TandemProto
import TandemTestSupport
import Testing

/// The resolved schema model: presence, packing, oneofs, maps and json names as protobuf defines them, the same
/// whether the schema comes from `.proto` text or from protoc's descriptor set.
@Suite("Resolved schema")
struct SchemaModelTests {
    static let root = Oracle.fixtures.appendingPathComponent("corpus/root")
    static let files = ["acme/proto3_all.proto", "acme/scalars2.proto"]

    static func parsed() throws -> Schema {
        try ProtoCompiler(importPaths: [root.path]).compile(files).schema()
    }

    @Test func descriptorSetAndParsedTextGiveTheSameModel() throws {
        let fromText = try Self.parsed()
        let bytes = try Oracle.descriptorSet(["--include_imports", "-I."] + Self.files, in: Self.root)
        let fromSet = try Schema(descriptorSet: bytes)
        #expect(fromText.messages.map(\.fullName).sorted() == fromSet.messages.map(\.fullName).sorted())
        #expect(fromText.enums.map(\.fullName).sorted() == fromSet.enums.map(\.fullName).sorted())
        for message in fromText.messages {
            let other = try #require(fromSet.message(named: message.fullName))
            #expect(message.fields.map(\.name) == other.fields.map(\.name))
            for (a, b) in zip(message.fields, other.fields) {
                #expect(a.number == b.number && a.type == b.type && a.cardinality == b.cardinality)
                #expect(a.hasPresence == b.hasPresence && a.isPacked == b.isPacked && a.isMap == b.isMap)
                #expect(a.jsonName == b.jsonName && a.typeName == b.typeName && a.oneofIndex == b.oneofIndex)
                #expect(a.defaultValueText == b.defaultValueText && a.isProto3Optional == b.isProto3Optional)
            }
        }
    }

    @Test func presenceFollowsTheFieldsOwnRules() throws {
        let profile = try #require(try Self.parsed().message(named: "acme.p3.Profile"))
        func field(_ name: String) throws -> FieldDescriptor { try #require(profile.field(named: name)) }
        #expect(try !field("age").hasPresence)  // proto3 implicit presence
        #expect(try field("nickname").hasPresence)  // proto3 optional
        #expect(try field("nickname").isProto3Optional)
        #expect(try field("email").hasPresence)  // oneof member
        #expect(try field("email").isInRealOneof)
        #expect(try !field("nickname").isInRealOneof)
        #expect(try field("created_at").hasPresence)  // message field
        #expect(try !field("scores").hasPresence)  // repeated
        let all = try #require(try Self.parsed().message(named: "acme.scalars.AllTypes"))
        #expect(all.field(named: "opt_int64")?.hasPresence == true)  // proto2 optional
        #expect(all.field(named: "req_int32")?.cardinality == .required)
    }

    @Test func packingFollowsSyntaxAndOption() throws {
        let schema = try Self.parsed()
        let profile = try #require(schema.message(named: "acme.p3.Profile"))
        #expect(profile.field(named: "scores")?.isPacked == true)  // proto3 default
        #expect(profile.field(named: "unpacked_scores")?.isPacked == false)
        let all = try #require(schema.message(named: "acme.scalars.AllTypes"))
        #expect(all.field(named: "rep_int32")?.isPacked == false)  // proto2 default
        #expect(all.field(named: "packed_int32")?.isPacked == true)
        #expect(all.field(named: "rep_string")?.isPacked == false)  // not packable
    }

    @Test func oneofsAreRealOrSyntheticAndLaidOutAsProtoc() throws {
        let profile = try #require(try Self.parsed().message(named: "acme.p3.Profile"))
        #expect(profile.oneofs.map(\.name) == ["contact", "second", "_nickname", "X_age", "_maybe"])
        #expect(profile.oneofs.map(\.isSynthetic) == [false, false, true, true, true])
        #expect(profile.oneofs[0].fieldNumbers == [20, 21, 22])
    }

    @Test func mapsResolveTheirEntryTypes() throws {
        let schema = try Self.parsed()
        let profile = try #require(schema.message(named: "acme.p3.Profile"))
        let map = try #require(profile.field(named: "addresses_by_id"))
        #expect(map.isMap && map.isRepeated)
        let entry = try #require(schema.messageType(of: map))
        #expect(entry.isMapEntry)
        #expect(entry.fullName == "acme.p3.Profile.AddressesByIdEntry")
        #expect(entry.field(number: 1)?.type == .int32)
        #expect(entry.field(number: 2)?.typeName == "acme.p3.Profile.Address")
    }

    @Test func jsonNamesAreComputedOrExplicit() throws {
        let schema = try Self.parsed()
        let profile = try #require(schema.message(named: "acme.p3.Profile"))
        #expect(profile.field(named: "created_at")?.jsonName == "createdAt")
        #expect(profile.field(named: "phone")?.jsonName == "phoneNumber")
        #expect(profile.field(jsonName: "phoneNumber")?.number == 21)
        #expect(profile.field(named: "_age")?.jsonName == "Age")
    }

    @Test func enumsKnowValuesAndOpenness() throws {
        let schema = try Self.parsed()
        let status = try #require(schema.enumType(named: "acme.p3.Status"))
        #expect(!status.isClosed)
        #expect(status.number(named: "STATUS_ENABLED") == 1)
        #expect(status.name(of: 1) == "STATUS_ACTIVE")  // the first name of an alias wins
        #expect(status.number(named: "STATUS_NEGATIVE") == -5)
        let color = try #require(schema.enumType(named: "acme.scalars.AllTypes.Color"))
        #expect(color.isClosed)
        #expect(color.defaultNumber == 1)
    }

    @Test func lookupsByNumberCoverDenseAndSparseNumbers() throws {
        let schema = try Self.parsed()
        let all = try #require(schema.message(named: "acme.scalars.AllTypes"))
        for field in all.fields {
            #expect(all.field(number: field.number)?.name == field.name)
        }
        #expect(all.field(number: 255) == nil)
        #expect(all.field(number: 100_000) == nil)
        let holder = try #require(schema.message(named: "acme.scalars.Holder"))
        #expect(schema.extensions["acme.scalars.AllTypes"]?.map(\.number).sorted() == [100, 101, 150, 151, 1000])
        #expect(holder.field(number: 1)?.typeName == "acme.scalars.AllTypes")
    }

    @Test func schemasArePoolsOfTheirOwn() throws {
        let a = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\";\npackage p;\nmessage M { int32 x = 1; }\n", fileName: "m.proto"
        ).schema()
        let b = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\";\npackage p;\nmessage M { string x = 1; int64 y = 2; }\n", fileName: "m.proto"
        ).schema()
        #expect(a.message(named: "p.M")?.field(number: 1)?.type == .int32)
        #expect(b.message(named: "p.M")?.field(number: 1)?.type == .string)
        #expect(b.message(named: ".p.M")?.fields.count == 2)
    }

    @Test func malformedDescriptorSetIsATypedError() {
        #expect(throws: SchemaError.self) { try Schema(descriptorSet: [0x0A, 0xFF, 0x01]) }
    }
}
