import ArgumentParser
import Foundation
import Tandem
import TandemProto

/// `tandem check`: schema compatibility of v1 and v2 before a rollout, from a plan or from two `.proto` files.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that v1 and v2 schemas are compatible (and that a plan can carry its fields) before rollout.",
        discussion: """
            Compares the plan's v1 and v2 messages, following fields by number into the types they use. With \
            --v1/--v2 (files and directories, several of each) it compares the whole schemas as buf does: files \
            pair by name (one file on each side pair with each other), every message, enum and service, nested or \
            not, reached or not, pairs by full name, or by the name within its package where a file's package \
            changed; --message NAME compares only the message NAME and what it reaches. Each side is compiled in \
            its own pool, so a file may be checked against itself.

            Exit codes: 0 no error-level finding, 1 at least one, 2 usage, plan or schema error, 3 unreadable file.

            Examples:
              tandem check Migrations/user-profile --policy strict
              tandem check --v1 old/acme/user.proto --v2 new/acme/user.proto --message User --format json
              tandem check --v1 old/ --v2 new/ --policy strict

            Policies: wire (binary only), wire_json (binary and JSON, the default), strict (also names and \
            source-level changes); buf_wire, buf_wire_json and buf_file follow buf's WIRE, WIRE_JSON and FILE \
            categories (buf's rules, each an error; the last column below).

            \(CheckCommand.policyTable)
            """
    )

    @Argument(help: ArgumentHelp("A plan directory (tandem.yaml and its schema files).", valueName: "plan-dir"))
    var planDirectory: String?

    @Option(
        name: .customLong("v1"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "The v1 schema: .proto files and directories (every .proto under a directory, named relative to it).",
            valueName: "path"))
    var v1Paths: [String] = []

    @Option(
        name: .customLong("v2"), parsing: .upToNextOption,
        help: ArgumentHelp("The v2 schema, as --v1.", valueName: "path"))
    var v2Paths: [String] = []

    @Option(
        help: ArgumentHelp(
            "The message to compare, relative to each file's package (with --v1/--v2).", valueName: "name"))
    var message: String?

    @Option(
        name: .customShort("I", allowingJoined: true),
        help: ArgumentHelp(
            "An import root (repeatable), like protoc's --proto_path (with --v1/--v2; default: each file's directory, then .).",
            valueName: "dir"))
    var importPaths: [String] = []

    @Option(help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var format: String = "text"

    @Option(
        help: ArgumentHelp(
            "wire, wire_json (default), strict, or buf's categories: buf_wire, buf_wire_json, buf_file.",
            valueName: "policy"))
    var policy: String = CompatibilityPolicy.wireJSON.rawValue

    @Flag(help: "Print only error-level findings (text); JSON output is unchanged.")
    var quiet = false

    func run() throws {
        guard let policy = CompatibilityPolicy(rawValue: policy) else {
            throw CLIError.usage(
                "--policy \(self.policy): expected wire, wire_json, strict, buf_wire, buf_wire_json or buf_file")
        }
        guard format == "text" || format == "json" else {
            throw CLIError.usage("--format \(format): expected text or json")
        }
        let report: CompatibilityReport
        switch (planDirectory, v1Paths.isEmpty, v2Paths.isEmpty) {
        case (let directory?, true, true):
            guard message == nil, importPaths.isEmpty else {
                throw CLIError.usage("--message and -I apply to --v1/--v2; a plan names its messages and proto_path")
            }
            report = try checkPlan(directory, policy: policy)
        case (nil, false, false):
            report = try checkFiles(v1: v1Paths, v2: v2Paths, policy: policy)
        case (nil, _, _):
            throw CLIError.usage("give a plan directory, or both --v1 PATH... and --v2 PATH...")
        default:
            throw CLIError.usage("give either a plan directory or --v1/--v2, not both")
        }
        if format == "json" {
            print(report.jsonValue.jsonString(options: JSONWritingOptions(pretty: true)))
        } else {
            print(CheckText.render(report, quiet: quiet, colour: isatty(STDOUT_FILENO) == 1), terminator: "")
        }
        if !report.passed {
            throw CLIError(
                message: "check failed: \(report.errorCount) error-level finding(s) under policy \(report.policy)",
                status: .failed)
        }
    }

    private func checkPlan(_ directory: String, policy: CompatibilityPolicy) throws(CLIError) -> CompatibilityReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("\(directory): no such plan directory (it must hold tandem.yaml)")
        }
        do {
            return try PlanChecker(policy: policy).check(directory: directory)
        } catch {
            throw CLIError.schema(error.description)
        }
    }

    private func checkFiles(v1: [String], v2: [String], policy: CompatibilityPolicy) throws(CLIError)
        -> CompatibilityReport
    {
        let v1Schema = try compile(v1, side: "v1")
        let v2Schema = try compile(v2, side: "v2")
        let roots: CompatibilityRoots = message.map { .named($0) } ?? .wholeSchema
        do {
            return try CompatibilityChecker(policy: policy).check(v1: v1Schema, v2: v2Schema, roots: roots)
        } catch {
            throw CLIError.usage(error.description)
        }
    }

    /// Compiles one side's files and directories in one compiler call (its own pool). A directory contributes every
    /// `.proto` under it and is an import root unless an -I root holds it; without -I, each file's directory and `.`
    /// are roots too.
    private func compile(_ paths: [String], side: String) throws(CLIError) -> CompatibilitySchema {
        var files: [String] = []
        var roots = importPaths
        var fileDirectories: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError.io("\(path): no such file or directory (--\(side))")
            }
            if isDirectory.boolValue {
                let found = Self.protoFiles(under: path)
                guard !found.isEmpty else { throw CLIError.usage("\(path): no .proto file under it (--\(side))") }
                files += found
                // A directory inside an -I root is named from that root (as protoc names files); otherwise it is a
                // root of its own.
                if !importPaths.contains(where: { Self.directory($0, contains: path) }) { roots.append(path) }
            } else {
                files.append(path)
                let directory = (path as NSString).deletingLastPathComponent
                fileDirectories.append(directory.isEmpty ? "." : directory)
            }
        }
        if importPaths.isEmpty && !fileDirectories.isEmpty { roots += fileDirectories + ["."] }
        var unique: [String] = []
        for root in roots where !unique.contains(root) { unique.append(root) }
        do {
            return CompatibilitySchema(try ProtoCompiler(importPaths: unique).compile(diskPaths: files))
        } catch {
            throw CLIError.schema(error.description)
        }
    }

    /// Whether `path` is `root` or lies under it.
    private static func directory(_ root: String, contains path: String) -> Bool {
        let root = URL(fileURLWithPath: root).standardizedFileURL.path
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Every `.proto` file under `directory`, in name order.
    private static func protoFiles(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".proto") { found.append((directory as NSString).appendingPathComponent(relative)) }
        }
        return found.sorted()
    }

    /// The policy table of every rule, as `--help` shows it.
    static var policyTable: String {
        let rules = CompatibilityRule.all + PlanRule.all
        let width = rules.map(\.id.count).max() ?? 0
        func pad(_ text: String, _ count: Int) -> String {
            text + String(repeating: " ", count: max(0, count - text.count))
        }
        var lines = [pad("rule", width) + "  wire     wire_json  strict   buf"]
        for rule in rules {
            // W, J, F: the rule is an error under buf_wire, buf_wire_json, buf_file; "=": as under wire, wire_json,
            // strict (a plan's rule).
            let buf = rule.bufCategories.map { categories in
                categories.isEmpty
                    ? "-"
                    : [("WIRE", "W"), ("WIRE_JSON", "J"), ("FILE", "F")].filter { categories.contains($0.0) }
                        .map(\.1).joined(separator: ",")
            }
            lines.append(
                pad(rule.id, width) + "  " + pad(rule.wire.rawValue, 7) + "  " + pad(rule.wireJSON.rawValue, 9) + "  "
                    + pad(rule.strict.rawValue, 7) + "  " + (buf ?? "="))
        }
        lines.append("buf: error under buf_wire (W), buf_wire_json (J), buf_file (F); =: as the others")
        return lines.joined(separator: "\n")
    }
}

/// Renders a check report for people: grouped by severity, coloured only on a terminal.
private enum CheckText {
    static func render(_ report: CompatibilityReport, quiet: Bool, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = ""
        let groups: [(CompatibilitySeverity, String, String)] = [
            (.error, "Errors", "31"), (.warning, "Warnings", "33"),
        ]
        for (severity, title, code) in groups {
            if quiet && severity != .error { continue }
            let findings = report.findings.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            out += paint("\(title) (\(findings.count))", "1;" + code) + "\n"
            for finding in findings {
                out += "  " + paint(severity.rawValue, code) + " " + paint(finding.rule.id, "1") + "\n"
                out += "    v1: " + (finding.v1.map(\.description) ?? "-") + "\n"
                out += "    v2: " + (finding.v2.map(\.description) ?? "-") + "\n"
                out += "    " + finding.message + "\n"
            }
            out += "\n"
        }
        if !quiet {
            let verdict = report.passed ? paint("passed", "32") : paint("failed", "31")
            out +=
                "\(verdict): \(report.errorCount) error(s), \(report.warningCount) warning(s) under policy "
                + "\(report.policy.rawValue)\n"
        }
        return out
    }
}
