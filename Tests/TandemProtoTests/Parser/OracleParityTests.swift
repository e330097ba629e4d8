import Foundation
import SwiftProtobuf
import TandemTestSupport
import Testing

@testable import TandemProto

/// Every corpus file compiles to the same descriptor bytes as the reference protoc.
@Suite("Parser parity with protoc")
struct OracleParityTests {
    static let corpusFiles = [
        "acme/scalars2.proto", "acme/proto3_all.proto", "acme/services.proto", "acme/imports.proto",
        "acme/noline.proto", "acme/common/types.proto", "acme/scoping.proto", "acme/options_builtin.proto",
        "acme/editions2023.proto", "acme/editions2024.proto",
    ]

    static var root: URL { Oracle.fixtures.appendingPathComponent("corpus/root") }

    @Test("each corpus file equals protoc's descriptor", arguments: corpusFiles)
    func corpusFileEqualsOracle(file: String) throws {
        try compare([file], includeImports: false)
    }

    @Test("each corpus file with its imports equals protoc's --include_imports", arguments: corpusFiles)
    func corpusFileWithImportsEqualsOracle(file: String) throws {
        try compare([file], includeImports: true)
    }

    @Test func allCorpusFilesTogetherKeepCommandLineOrder() throws {
        try compare(Self.corpusFiles.reversed(), includeImports: true)
        try compare(Self.corpusFiles, includeImports: false)
    }

    @Test("each well-known type equals protoc's", arguments: WellKnownTypes.paths)
    func wellKnownTypeEqualsOracle(path: String) throws {
        // Compiled from our built-in text (no import root holds it) against protoc's copy.
        let ours = try ProtoCompiler(importPaths: [Self.root.path]).compile([path]).descriptorSet(includeImports: true)
        let oracle = try Oracle.files(Oracle.descriptorSet(["--include_imports", path], in: Self.root))
        #expect(try ours.file.map { try $0.serializedBytes() as [UInt8] } == oracle.map(\.1))
        #expect(ours.file.map(\.name) == oracle.map(\.0))
    }

    private func compare(_ files: [String], includeImports: Bool) throws {
        let shared = Oracle.fixtures.appendingPathComponent("corpus/shared").path
        let compiled = try ProtoCompiler(importPaths: [Self.root.path, shared]).compile(files)
        let ours = compiled.descriptorSet(includeImports: includeImports).file
        var arguments = ["-I.", "-I\(shared)"] + files
        if includeImports { arguments.insert("--include_imports", at: 0) }
        let oracle = try Oracle.files(Oracle.descriptorSet(arguments, in: Self.root))
        #expect(ours.map(\.name) == oracle.map(\.0))
        for (file, (name, expected)) in zip(ours, oracle) {
            let actual: [UInt8] = try file.serializedBytes()
            if actual != expected {
                let expectedText =
                    (try? Google_Protobuf_FileDescriptorProto(serializedBytes: expected).textFormatString()) ?? ""
                Issue.record(
                    "\(name) differs from protoc.\nprotoc:\n\(expectedText)\nours:\n\(file.textFormatString())")
            }
        }
    }
}
