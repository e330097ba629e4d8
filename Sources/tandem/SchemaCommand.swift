import ArgumentParser
import Foundation
import SwiftProtobuf
import TandemProto

/// `tandem schema`: compiles `.proto` files, prints their resolved messages, and writes a `FileDescriptorSet`
/// equal to protoc's `--descriptor_set_out`.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Compile .proto files, print their messages, and write a FileDescriptorSet like protoc's.",
        discussion: """
            Files are named relative to the -I directory that holds them, as protoc names them; imports resolve \
            against each -I directory in order, and the well-known types (google/protobuf/*.proto) resolve without \
            files when no directory provides them. Without -I, the current directory is the import root. \
            proto2, proto3 and editions (2023, 2024) files compile; each field is listed with its resolved \
            presence and packing, and extensions under the message they extend, as [full.name].

            Example:
              tandem schema Migrations/user-profile/v2.proto -I Migrations/user-profile \\
                --descriptor-set-out v2.binpb --include-imports
            """
    )

    @Argument(help: "The .proto files to compile.")
    var files: [String]

    @Option(
        name: .customShort("I", allowingJoined: true),
        help: ArgumentHelp("An import root (repeatable), like protoc's --proto_path.", valueName: "dir"))
    var importPaths: [String] = []

    @Option(
        name: .customLong("descriptor-set-out"),
        help: ArgumentHelp("Write a FileDescriptorSet here.", valueName: "path"))
    var descriptorSetOut: String?

    @Flag(
        name: .customLong("include-imports"),
        help: "Include every imported file in the descriptor set (protoc's order).")
    var includeImports = false

    func run() throws {
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw CLIError.io("\(file): no such file")
        }
        let roots = importPaths.isEmpty ? ["."] : importPaths
        let compiled: CompiledFiles
        let schema: Schema
        do {
            // `schema` shows no element's location: the compiler keeps none (errors still say where).
            compiled = try ProtoCompiler(configuration: .init(importPaths: roots, recordsSourceLocations: false))
                .compile(diskPaths: files)
            schema = try compiled.schema()
        } catch let error as ProtoError {
            throw CLIError.schema(error.description)
        } catch {
            throw CLIError.schema("\(error)")
        }
        if let descriptorSetOut {
            do {
                let bytes: [UInt8] = try compiled.descriptorSet(includeImports: includeImports).serializedBytes()
                try Data(bytes).write(to: URL(fileURLWithPath: descriptorSetOut))
            } catch {
                throw CLIError.io("\(descriptorSetOut): cannot write the descriptor set: \(error.localizedDescription)")
            }
        }
        SchemaListing.write(compiled.requestedFiles, schema: schema) { print($0, terminator: "") }
    }
}
