import Foundation
import TandemTestSupport

/// Runs a Python script from the oracle virtualenv (`.ci/run` creates it; `prometheus_client` is pinned there) on a
/// file, returning what the script prints. Independent parsers judge our output.
enum Python {
    /// Writes `input` to a temporary file, runs `script` with the file's path as `sys.argv[1]`, and returns stdout.
    static func run(_ script: String, input: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tandem-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("input")
        try Data(input.utf8).write(to: inputFile)
        return try Oracle.runPython(script, in: directory, arguments: [inputFile.path])
    }
}
