import Foundation
import TandemTestSupport

/// Runs a Python script from the oracle virtualenv (`.ci/run` creates it; `prometheus_client` is pinned there) on a
/// file, returning what the script prints. Independent parsers judge our output.
enum Python {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes `input` to a temporary file, runs `script` with the file's path as `sys.argv[1]`, and returns stdout.
    static func run(_ script: String, input: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: Oracle.python) else {
            throw Failure(description: "the oracle python is missing at \(Oracle.python): run .ci/run")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tandem-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("input")
        let scriptFile = directory.appendingPathComponent("check.py")
        try Data(input.utf8).write(to: inputFile)
        try Data(script.utf8).write(to: scriptFile)
        let errorFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Oracle.python)
        process.arguments = [scriptFile.path, inputFile.path]
        let output = Pipe()
        process.standardOutput = output
        // stderr goes to a file, so only one pipe is read and neither can fill up and block the child.
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
}
