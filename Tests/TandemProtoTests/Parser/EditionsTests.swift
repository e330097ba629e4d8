import Foundation
import SwiftProtobuf
import TandemTestSupport
import Testing

@testable import TandemProto

/// Editions files (2023 and 2024): what the compiler refuses agrees with protoc, features resolve as protoc resolves
/// them, and payloads written by protobuf's own runtime for an editions message decode and re-encode exactly.
/// (Descriptor parity of the editions corpus files is in ``OracleParityTests``.)
@Suite("Editions")
struct EditionsTests {
    struct Rejected: CustomTestStringConvertible, Sendable {
        var name: String
        var source: String
        var testDescription: String { name }
    }

    /// Files protoc refuses, one reason each.
    static let rejected: [Rejected] = [
        .init(name: "optional label", source: #"edition = "2023"; package t; message M { optional int32 a = 1; }"#),
        .init(name: "required label", source: #"edition = "2023"; package t; message M { required int32 a = 1; }"#),
        .init(
            name: "packed option",
            source: #"edition = "2023"; package t; message M { repeated int32 a = 1 [packed = true]; }"#),
        .init(
            name: "group syntax", source: #"edition = "2023"; package t; message M { group G = 1 { int32 a = 1; } }"#),
        .init(name: "unknown edition", source: #"edition = "2022"; package t;"#),
        .init(
            name: "features outside editions",
            source: #"syntax = "proto3"; package t; message M { int32 a = 1 [features.field_presence = EXPLICIT]; }"#),
        .init(
            name: "default with implicit presence",
            source:
                #"edition = "2023"; package t; message M { int32 a = 1 [features.field_presence = IMPLICIT, default = 3]; }"#
        ),
        .init(
            name: "implicit message field",
            source: #"edition = "2023"; package t; message M { M a = 1 [features.field_presence = IMPLICIT]; }"#),
        .init(name: "open enum not starting at zero", source: #"edition = "2023"; package t; enum E { A = 1; }"#),
        .init(
            name: "presence on a oneof member",
            source:
                #"edition = "2023"; package t; message M { oneof o { int32 a = 1 [features.field_presence = IMPLICIT]; } }"#
        ),
        .init(
            name: "encoding on a singular field",
            source:
                #"edition = "2023"; package t; message M { int32 a = 1 [features.repeated_field_encoding = EXPANDED]; }"#
        ),
        .init(
            name: "message encoding on a map",
            source:
                #"edition = "2023"; package t; message M { map<string, M> m = 1 [features.message_encoding = DELIMITED]; }"#
        ),
        .init(
            name: "closed enum behind implicit presence",
            source:
                #"edition = "2023"; package t; option features.enum_type = CLOSED; enum E { A = 1; } message M { E e = 1 [features.field_presence = IMPLICIT]; }"#
        ),
        .init(
            name: "utf8 validation on an integer",
            source: #"edition = "2023"; package t; message M { int32 x = 2 [features.utf8_validation = NONE]; }"#),
        .init(
            name: "ctype in 2024", source: #"edition = "2024"; package t; message M { string s = 1 [ctype = CORD]; }"#),
        .init(
            name: "presence on an extension",
            source:
                #"edition = "2023"; package t; message M { extensions 100 to 200; } extend M { int32 b = 100 [features.field_presence = IMPLICIT]; }"#
        ),
        .init(
            name: "presence on a repeated field",
            source:
                #"edition = "2023"; package t; message M { repeated int32 a = 1 [features.field_presence = EXPLICIT]; }"#
        ),
        .init(
            name: "required by default",
            source:
                #"edition = "2023"; package t; option features.field_presence = LEGACY_REQUIRED; message M { int32 a = 1; }"#
        ),
        .init(
            name: "feature on the wrong element",
            source: #"edition = "2023"; package t; message M { int32 a = 1 [features.enum_type = CLOSED]; }"#),
        .init(
            name: "feature on a oneof",
            source:
                #"edition = "2023"; package t; message M { oneof o { option features.field_presence = EXPLICIT; int32 a = 1; } }"#
        ),
        .init(
            name: "java_multiple_files in 2024",
            source: #"edition = "2024"; package t; option java_multiple_files = true; message M { int32 foo = 1; }"#),
        .init(
            name: "2024 feature in 2023",
            source: #"edition = "2023"; package t; option features.enforce_naming_style = STYLE2024; message M {}"#),
        .init(
            name: "JSON name conflict",
            source: #"edition = "2023"; package t; message M { int32 foo_bar = 1; int32 fooBar = 2; }"#
        ),
        .init(name: "message name style", source: #"edition = "2024"; package t; message m_x {}"#),
        .init(name: "field name style", source: #"edition = "2024"; package t; message M { int32 fooBar = 1; }"#),
        .init(name: "enum value name style", source: #"edition = "2024"; package t; enum E { a = 0; }"#),
        .init(name: "package name style", source: #"edition = "2024"; package a.b_1;"#),
        .init(
            name: "oneof name style", source: #"edition = "2024"; package t; message M { oneof O { int32 b = 2; } }"#),
        .init(name: "service name style", source: #"edition = "2024"; package t; message M {} service s {}"#),
        .init(
            name: "option import before 2024",
            source: #"edition = "2023"; import option "google/protobuf/cpp_features.proto";"#),
        .init(name: "visibility on a service", source: #"edition = "2024"; package t; export service S {}"#),
        .init(
            name: "method name style",
            source: #"edition = "2024"; package t; message M {} service S { rpc do_it(M) returns (M); }"#),
    ]

    @Test("refused as protoc refuses it, in protoc's words", arguments: rejected)
    func refusedLikeProtoc(_ testCase: Rejected) throws {
        let directory = try ProtoTree.write(["t.proto": testCase.source])
        defer { try? FileManager.default.removeItem(at: directory) }
        let protoc = try #require(try Oracle.protocErrors(["-I.", "t.proto"], in: directory), "protoc accepts it")
        do {
            _ = try ProtoCompiler(importPaths: [directory.path]).compile(["t.proto"])
            Issue.record("accepted; protoc says: \(protoc)")
        } catch {
            #expect(protoc.contains(error.message), "ours: \(error), protoc: \(protoc)")
            // Where protoc gives a line and column, ours are the same.
            if protoc.hasPrefix("t.proto:1:") {
                #expect(protoc.hasPrefix("t.proto:1:\(error.location.column):"), "ours: \(error), protoc: \(protoc)")
            }
        }
    }

    @Test func languageFeaturesResolveThroughTheirExtension() throws {
        let source = #"""
            edition = "2024";
            package t;
            import option "google/protobuf/cpp_features.proto";
            message M {
              string s = 1 [features.(pb.cpp).string_type = CORD];
              string t = 2 [features.(pb.cpp).no_such = 1];
            }
            """#
        #expect {
            _ = try ProtoCompiler(importPaths: []).compile(source: source, fileName: "t.proto")
        } throws: { error in
            guard let error = error as? ProtoError else { return false }
            return error.location.line == 6 && error.message.contains("\"no_such\"")
                && error.message.contains("CppFeatures")
        }
        let valid = source.replacingOccurrences(of: "  string t = 2 [features.(pb.cpp).no_such = 1];\n", with: "")
        let compiled = try ProtoCompiler(importPaths: []).compile(source: valid, fileName: "t.proto")
        let field = try #require(compiled.files.last?.messageType.first?.field.first)
        // The feature is an extension of FeatureSet (pb.cpp = 1000): its bytes are in the field's features.
        #expect(try field.options.features.serializedBytes() as [UInt8] == [0xC2, 0x3E, 0x02, 0x10, 0x02])
    }

    @Test func namingStyleAgreesWithProtocNameByName() throws {
        let names: [(kind: String, names: [String])] = [
            ("field", ["a1", "a_1", "a__b", "a_", "_a", "aB", "a_b2c", "a2_b", "A", "x1y", "a_b_c"]),
            ("message", ["M_x", "Mx_y", "M_", "M1", "MX", "mX", "_M", "M_1"]),
            ("value", ["A1", "A_1", "A__B", "A_", "_A", "Ab", "A_B2C", "AB", "A2_B", "a"]),
        ]
        let directory = try ProtoTree.write([:])
        defer { try? FileManager.default.removeItem(at: directory) }
        for (kind, list) in names {
            for name in list {
                let source: String
                switch kind {
                case "field": source = #"edition = "2024"; package t; message M { int32 \#(name) = 1; }"#
                case "message": source = #"edition = "2024"; package t; message \#(name) {}"#
                default: source = #"edition = "2024"; package t; enum E { \#(name) = 0; }"#
                }
                try Data(source.utf8).write(to: directory.appendingPathComponent("n.proto"))
                let protoc = try Oracle.protocErrors(["-I.", "n.proto"], in: directory)
                let ours: ProtoError?
                do {
                    _ = try ProtoCompiler(importPaths: [directory.path]).compile(["n.proto"])
                    ours = nil
                } catch {
                    ours = error
                }
                #expect(
                    (protoc == nil) == (ours == nil),
                    "\(kind) \(name): protoc \(protoc ?? "accepts"), ours \(ours.map { "\($0)" } ?? "accepts")")
                if let protoc, let ours { #expect(protoc.contains(ours.message), "\(kind) \(name)") }
            }
        }
    }

    @Test func featuresResolveAtEveryLevel() throws {
        let root = Oracle.fixtures.appendingPathComponent("corpus/root").path
        let schema = try ProtoCompiler(importPaths: [root]).compile(["acme/editions2023.proto"]).schema()
        let account = try #require(schema.message(named: "acme.editions.Account"))
        func field(_ name: String, in message: MessageDescriptor? = nil) throws -> FieldDescriptor {
            try #require((message ?? account).fields.first { $0.name == name }, "\(name)")
        }
        #expect(try field("explicit_count").hasPresence)
        #expect(try !field("implicit_count").hasPresence)
        #expect(try field("required_count").cardinality == .required)
        #expect(try field("defaulted").hasPresence)
        #expect(try !field("name").validatesUTF8)
        #expect(try field("verified_name").validatesUTF8)
        #expect(try field("packed_ids").isPacked)
        #expect(try !field("expanded_ids").isPacked)
        #expect(try field("detail").type == .group)
        #expect(try field("details").type == .group)
        #expect(try field("framed").type == .message)
        #expect(try field("label").hasPresence)
        #expect(try !field("blob").hasPresence)
        #expect(schema.enumType(named: "acme.editions.Closed")?.isClosed == true)
        #expect(schema.enumType(named: "acme.editions.Open")?.isClosed == false)
        #expect(schema.enumType(named: "acme.editions.Account.Detail.Kind")?.isClosed == true)
        // The map field's features reach its entry's key and value, as protoc writes them.
        let entry = try #require(schema.message(named: "acme.editions.Account.ByNameEntry"))
        #expect(try !field("key", in: entry).validatesUTF8)
        let detail = try #require(schema.message(named: "acme.editions.Account.Detail"))
        #expect(try !field("level", in: detail).hasPresence)
        #expect(try field("tracked", in: detail).hasPresence)
        #expect(try !field("note", in: detail).validatesUTF8)
        let extensions = schema.extensions["acme.editions.Account"] ?? []
        #expect(extensions.first { $0.name == "side_ids" }?.isPacked == false)
        #expect(extensions.first { $0.name == "side_note" }?.hasPresence == true)
        // proto3 files resolve to proto3's meaning.
        let proto3 = try ProtoCompiler(importPaths: [root]).compile(["acme/proto3_all.proto"]).schema()
        for message in proto3.messages where !message.isMapEntry {
            for field in message.fields where field.type == .string { #expect(field.validatesUTF8) }
        }
    }

    /// protobuf's Python runtime (the oracle virtualenv's, generated by the pinned protoc) writes an editions
    /// message; Tandem decodes it and re-encodes the same bytes, and reads every feature's effect.
    @Test func payloadsFromProtobufPythonDecodeAndReencodeExactly() throws {
        let root = Oracle.fixtures.appendingPathComponent("corpus/root")
        let directory = try ProtoTree.write([:])
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Oracle.descriptorSet(
            ["-I.", "--python_out=\(directory.path)", "acme/editions2023.proto", "google/protobuf/cpp_features.proto"],
            in: root)
        let script = """
            import sys
            sys.path.insert(0, ".")
            import google.protobuf
            google.protobuf.__path__.append("./google/protobuf")
            from acme import editions2023_pb2 as e
            out = []
            a = e.Account()
            a.explicit_count = 0
            a.implicit_count = 0
            a.required_count = 3
            a.name = "caf\\u00e9"
            a.verified_name = "v"
            a.packed_ids.extend([1, 2, 300])
            a.expanded_ids.extend([4, 5])
            a.closed = e.CLOSED_TWO
            a.open = e.OPEN_ONE
            a.detail.level = 2
            a.detail.tracked = 0
            a.detail.kind = e.Account.Detail.KIND_B
            d = a.details.add()
            d.note = "n"
            a.framed.level = 1
            a.by_name["k"].level = 4
            a.created_at.seconds = 10
            a.label = "l"
            a.blob = b""
            a.Extensions[e.side_note] = 5
            a.Extensions[e.side_ids].extend([1, 2])
            out.append(a.SerializeToString())
            b = e.Account()
            b.required_count = 0
            b.code = 0
            b.open = e.OPEN_UNSPECIFIED
            out.append(b.SerializeToString())
            print("\\n".join(x.hex() for x in out))
            """
        let printed = try Oracle.runPython(script, in: directory)
        let payloads = printed.split(separator: "\n").map { hex in
            stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
            }
        }
        try #require(payloads.count == 2)
        let schema = try ProtoCompiler(importPaths: [root.path]).compile(["acme/editions2023.proto"]).schema()
        let account = try #require(schema.message(named: "acme.editions.Account"))
        for payload in payloads {
            let message = try DynamicMessage(decoding: payload, as: account, schema: schema)
            #expect(message.serializedBytes() == payload)
        }
        // The validator leaves payloads with groups (delimited fields) to the decoder, and vouches for the rest.
        let validator = WireValidator(schema: schema)
        #expect(validator.unknownFieldCount(of: payloads[0], as: account) == nil)
        #expect(validator.unknownFieldCount(of: payloads[1], as: account) == 0)
        let first = try DynamicMessage(decoding: payloads[0], as: account, schema: schema)
        #expect(first.has(named: "explicit_count"))
        #expect(!first.has(named: "implicit_count"))
        #expect(first.repeatedValues(named: "packed_ids") == [.int32(1), .int32(2), .int32(300)])
        #expect(first.get(named: "closed") == .enumValue(2))
        // The delimited field is a group on the wire: field 11, start group (wire type 3).
        #expect(payloads[0].contains(11 << 3 | 3))
        let second = try DynamicMessage(decoding: payloads[1], as: account, schema: schema)
        #expect(second.has(named: "required_count"))
        #expect(second.has(named: "code"))
        #expect(!second.has(named: "open"))
    }
}
