import Foundation
import Testing

@testable import Tandem

/// Paths and temporary plan directories for plan tests.
enum PlanTestSupport {
    /// The repository root, found from this file's path.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func migrationDirectory(_ name: String) -> String { repositoryRoot + "/Migrations/" + name }

    /// A fresh directory holding the user-profile schemas and the given `tandem.yaml`.
    static func planDirectory(yaml: String, extraFiles: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = migrationDirectory("user-profile")
        for file in ["v1.proto", "v2.proto"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: directory + "/" + file)
        }
        for (name, text) in extraFiles {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        try yaml.write(toFile: directory + "/tandem.yaml", atomically: true, encoding: .utf8)
        return directory
    }
}
