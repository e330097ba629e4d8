import Foundation

/// The reference for `tandem check`: PyPI's buf-bin (pinned in `.ci/run`), from the oracle virtualenv.
public enum BufOracle {
    /// One finding of `buf breaking --error-format json`.
    public struct Finding: Decodable, Sendable, Hashable {
        public var path: String?
        public var type: String
        public var message: String
        public var startLine: Int?

        enum CodingKeys: String, CodingKey {
            case path, type, message
            case startLine = "start_line"
        }
    }

    /// The buf executable of the oracle virtualenv.
    public static var buf: String {
        ProcessInfo.processInfo.environment["TANDEM_ORACLE_BUF"]
            ?? Oracle.packageRoot.appendingPathComponent(".venv-oracle/bin/buf").path
    }

    /// The oracle virtualenv's site-packages (googleapis-common-protos' `.proto` files are there).
    public static func sitePackages() throws -> URL {
        let lib = Oracle.packageRoot.appendingPathComponent(".venv-oracle/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        guard let python = versions.filter({ $0.hasPrefix("python") }).sorted().last else {
            throw Oracle.Failure(description: "no python under \(lib.path): run .ci/run (it creates the virtualenv)")
        }
        return lib.appendingPathComponent(python).appendingPathComponent("site-packages")
    }

    /// What buf reports for `v2` against `v1` (two module directories) under one of its breaking categories
    /// (`WIRE`, `WIRE_JSON`, `FILE`).
    public static func breaking(v1: URL, v2: URL, category: String) throws -> [Finding] {
        guard FileManager.default.isExecutableFile(atPath: buf) else {
            throw Oracle.Failure(description: "buf is missing at \(buf): run .ci/run (it installs buf-bin)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: buf)
        process.arguments = [
            "breaking", v2.path, "--against", v1.path, "--error-format", "json",
            "--config", #"{"version":"v1","breaking":{"use":["\#(category)"]}}"#,
            "--against-config", #"{"version":"v1"}"#,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // buf exits 100 when it found breaking changes.
        guard process.terminationStatus == 0 || process.terminationStatus == 100 else {
            throw Oracle.Failure(
                description: "buf failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
        return try String(decoding: stdout, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Finding.self, from: Data($0.utf8))
        }
    }
}
