import Foundation
import SwiftProtobuf
import TandemTestSupport
import Testing

/// `tandem schema` end to end: the real binary against the reference protoc.
@Suite("tandem schema")
struct SchemaCommandTests {
    static var corpus: URL { Oracle.fixtures.appendingPathComponent("corpus") }

    private func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cli-\(UUID().uuidString)-\(name)")
    }

    @Test(arguments: [false, true])
    func descriptorSetOutEqualsProtoc(includeImports: Bool) throws {
        let out = temporaryFile("set.pb")
        defer { try? FileManager.default.removeItem(at: out) }
        let files = ["root/acme/imports.proto", "root/acme/services.proto", "root/acme/scalars2.proto"]
        var arguments = ["schema"] + files + ["-I", "root", "-Ishared", "--descriptor-set-out", out.path]
        if includeImports { arguments.append("--include-imports") }
        let result = try Binaries.run("tandem", arguments, in: Self.corpus)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("message acme.orders.v1.Order"))
        #expect(result.stdout.contains("2  total  shared.money.Money"))

        var oracleArguments = ["-Iroot", "-Ishared"] + files
        if includeImports { oracleArguments.insert("--include_imports", at: 0) }
        let expected = try Oracle.descriptorSet(oracleArguments, in: Self.corpus)
        let actual = try Data(contentsOf: out)
        #expect(try Oracle.files([UInt8](actual)).map(\.0) == Oracle.files(expected).map(\.0))
        #expect([UInt8](actual) == expected)
    }

    /// A relative file inside an absolute root (`tandem schema google/api/http.proto -I "$PWD"`): protoc reads the
    /// path as an import path when no root holds it by prefix, and so does Tandem.
    @Test func aRelativeFileInsideAnAbsoluteRootIsNamedAsProtocNamesIt() throws {
        let root = Self.corpus.appendingPathComponent("root")
        let out = temporaryFile("relative.pb")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Binaries.run(
            "tandem",
            [
                "schema", "acme/imports.proto", "-I", root.path, "-I",
                Self.corpus.appendingPathComponent("shared").path,
                "--descriptor-set-out", out.path,
            ],
            in: root)
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try Oracle.descriptorSet(
            ["-I\(root.path)", "-I\(Self.corpus.appendingPathComponent("shared").path)", "acme/imports.proto"],
            in: root)
        #expect([UInt8](try Data(contentsOf: out)) == expected)

        // A file under no root, read either way, is still refused, naming it.
        let outside = try Binaries.run("tandem", ["schema", "../shared/shared/money.proto", "-I", root.path], in: root)
        #expect(outside.status != 0)
        #expect(outside.stderr.contains("does not reside within any path"), "\(outside.stderr)")
    }

    @Test func syntaxErrorExitsTwoWithLocation() throws {
        let directory = temporaryFile("bad")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "syntax = \"proto3\";\nmessage M {\n  int32 a = ;\n}\n".write(
            to: directory.appendingPathComponent("bad.proto"), atomically: true, encoding: .utf8)
        let result = try Binaries.run("tandem", ["schema", "bad.proto"], in: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.proto:3:13: Expected field number, found \";\"."), "\(result.stderr)")
    }

    @Test func unknownFlagExitsTwo() throws {
        let result = try Binaries.run("tandem", ["schema", "--no-such-flag", "x.proto"])
        #expect(result.status == 2, "\(result.stderr)")
    }

    @Test func missingFileExitsThree() throws {
        let result = try Binaries.run("tandem", ["schema", "/nonexistent/dir/x.proto"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("/nonexistent/dir/x.proto"))
    }

    @Test func unwritableDescriptorSetExitsThree() throws {
        let result = try Binaries.run(
            "tandem",
            [
                "schema", "root/acme/common/types.proto", "-I", "root",
                "--descriptor-set-out", "/nonexistent/dir/out.pb",
            ], in: Self.corpus)
        #expect(result.status == 3)
        #expect(result.stderr.contains("/nonexistent/dir/out.pb"))
    }

    /// An editions file lists with its edition, each field's resolved presence and packing, DELIMITED fields as
    /// group encoding, and its extensions under the message they extend.
    @Test func anEditionsFileListsItsResolvedFeaturesAndExtensions() throws {
        let result = try Binaries.run(
            "tandem", ["schema", "root/acme/editions2023.proto", "-I", "root"], in: Self.corpus)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("acme/editions2023.proto (edition 2023, package acme.editions)"))
        #expect(result.stdout.contains("2  implicit_count  int32\n"))
        #expect(result.stdout.contains("3  required_count  int32  [explicit presence, required]"))
        #expect(result.stdout.contains("8  expanded_ids  repeated int32\n"))
        #expect(result.stdout.contains("11  detail  acme.editions.Account.Detail  [explicit presence, group encoding]"))
        #expect(result.stdout.contains("100  [acme.editions.side_note]  int32  [explicit presence, extension]"))
    }

    @Test func helpShowsAnExample() throws {
        let result = try Binaries.run("tandem", ["schema", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example:"))
    }
}
