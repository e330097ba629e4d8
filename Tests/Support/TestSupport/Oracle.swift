import Foundation
import SwiftProtobuf

/// The reference protoc (PyPI grpcio-tools, pinned in `.ci/run`), run from the virtualenv `.ci/run` creates.
public enum Oracle {
    /// The package root, derived from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var fixtures: URL { packageRoot.appendingPathComponent("Tests/Fixtures") }

    public static var python: String {
        ProcessInfo.processInfo.environment["TANDEM_ORACLE_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv-oracle/bin/python").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs protoc with `arguments` in `directory` and returns the descriptor set it wrote.
    public static func descriptorSet(_ arguments: [String], in directory: URL) throws -> [UInt8] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(
                description: "the protoc oracle is missing at \(python): run .ci/run (it creates the virtualenv)")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "grpc_tools.protoc", "--descriptor_set_out=\(output.path)"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "protoc failed: \(String(decoding: stderr, as: UTF8.self))")
        }
        return [UInt8](try Data(contentsOf: output))
    }

    /// Each file of a set, serialized, without source code info.
    public static func files(_ bytes: [UInt8]) throws -> [(String, [UInt8])] {
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        return try set.file.map { file in
            var copy = file
            copy.clearSourceCodeInfo()
            return (copy.name, try copy.serializedBytes())
        }
    }
}
