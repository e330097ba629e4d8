import Foundation
import TandemProto
import TandemTestSupport

/// Temporary directories, plan copies, traffic lines and sqlite3 for the CLI tests.
enum CLITest {
    static var migrations: URL { Oracle.packageRoot.appendingPathComponent("Migrations") }
    static var examples: URL { Oracle.packageRoot.appendingPathComponent("Examples") }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tandem-cli-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of `Migrations/<plan>` in `directory` with the gate's `min_samples` (and window) changed.
    static func plan(_ name: String, in directory: URL, minSamples: Int? = nil) throws -> URL {
        let source = migrations.appendingPathComponent(name)
        let target = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: source, to: target)
        if let minSamples {
            let yaml = target.appendingPathComponent("tandem.yaml")
            var text = try String(contentsOf: yaml, encoding: .utf8)
            text = text.replacingOccurrences(
                of: #"min_samples: \d+"#, with: "min_samples: \(minSamples)", options: .regularExpression)
            try text.write(to: yaml, atomically: true, encoding: .utf8)
        }
        return target
    }

    static func write(_ lines: [String], to url: URL) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs sqlite3 on a database file.
    @discardableResult
    static func sqlite(_ database: URL, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database.path, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Oracle.Failure(description: "sqlite3 failed on \(sql)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// The JSON report at `url`.
    static func report(_ url: URL) throws -> JSONValue {
        try JSONValue(parsing: Array(try Data(contentsOf: url)))
    }
}
