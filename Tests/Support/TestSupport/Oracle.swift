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

    /// Runs protoc with `arguments` in `directory`: `nil` when it compiles, else what it printed on stderr.
    public static func protocErrors(_ arguments: [String], in directory: URL) throws -> String? {
        do {
            _ = try descriptorSet(arguments, in: directory)
            return nil
        } catch let failure as Failure where failure.description.hasPrefix("protoc failed: ") {
            return String(failure.description.dropFirst("protoc failed: ".count))
        }
    }

    /// Runs `script` with the oracle virtualenv's Python (protobuf's Python runtime is there, grpcio-tools' own) in
    /// `directory`, with `arguments` as `sys.argv[1...]`, and returns what it printed.
    public static func runPython(_ script: String, in directory: URL, arguments: [String] = []) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "the oracle python is missing at \(python): run .ci/run")
        }
        let scriptFile = directory.appendingPathComponent("oracle-\(UUID().uuidString).py")
        try Data(script.utf8).write(to: scriptFile)
        defer { try? FileManager.default.removeItem(at: scriptFile) }
        let errorFile = directory.appendingPathComponent("oracle-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptFile.path] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "python failed (\(process.terminationStatus)): \(message)")
        }
        return String(decoding: stdout, as: UTF8.self)
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
