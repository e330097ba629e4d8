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

    /// A plan between two one-message schemas, `n.v1.R` and `n.v2.R`, with the given message bodies and the YAML lines
    /// after `key: id` (the whitelist and what follows).
    static func narrowPlan(v1Fields: String, v2Fields: String, rest: String) throws -> MigrationPlan {
        let v1 = "syntax = \"proto3\";\npackage n.v1;\nmessage R { \(v1Fields) }\n"
        let v2 = "syntax = \"proto3\";\npackage n.v2;\nmessage R { \(v2Fields) }\n"
        let yaml = """
            name: narrow
            v1: { proto: n1.proto, message: n.v1.R }
            v2: { proto: n2.proto, message: n.v2.R }
            key: id

            """ + rest
        let directory = try planDirectory(yaml: yaml, extraFiles: ["n1.proto": v1, "n2.proto": v2])
        return try MigrationPlan.load(directory: directory)
    }
}
