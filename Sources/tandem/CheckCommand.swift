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
            Compares the plan's v1 and v2 messages (or, with --v1/--v2, the messages named by --message, or every \
            top-level message whose name relative to its package exists on both sides), following fields by number \
            into the types they use. Each side is compiled in its own pool, so a file may be checked against itself.

            Exit codes: 0 no error-level finding, 1 at least one, 2 usage, plan or schema error, 3 unreadable file.

            Examples:
              tandem check Migrations/user-profile --policy strict
              tandem check --v1 old/acme/user.proto --v2 new/acme/user.proto --message User --format json

            Policies: wire (binary only), wire_json (binary and JSON, the default), strict (also names and \
            source-level changes).

            \(CheckCommand.policyTable)
            """
    )

    @Argument(help: ArgumentHelp("A plan directory (tandem.yaml and its schema files).", valueName: "plan-dir"))
    var planDirectory: String?

    @Option(name: .customLong("v1"), help: ArgumentHelp("The v1 .proto file.", valueName: "file.proto"))
    var v1File: String?

    @Option(name: .customLong("v2"), help: ArgumentHelp("The v2 .proto file.", valueName: "file.proto"))
    var v2File: String?

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

    @Option(help: ArgumentHelp("wire, wire_json (default) or strict.", valueName: "policy"))
    var policy: String = CompatibilityPolicy.wireJSON.rawValue

    @Flag(help: "Print only error-level findings (text); JSON output is unchanged.")
    var quiet = false

    func run() throws {
        guard let policy = CompatibilityPolicy(rawValue: policy) else {
            throw CLIError.usage("--policy \(self.policy): expected wire, wire_json or strict")
        }
        guard format == "text" || format == "json" else {
            throw CLIError.usage("--format \(format): expected text or json")
        }
        let report: CompatibilityReport
        switch (planDirectory, v1File, v2File) {
        case (let directory?, nil, nil):
            guard message == nil, importPaths.isEmpty else {
                throw CLIError.usage("--message and -I apply to --v1/--v2; a plan names its messages and proto_path")
            }
            report = try checkPlan(directory, policy: policy)
        case (nil, let v1?, let v2?):
            report = try checkFiles(v1: v1, v2: v2, policy: policy)
        case (nil, _, _):
            throw CLIError.usage("give a plan directory, or both --v1 FILE.proto and --v2 FILE.proto")
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

    private func checkFiles(v1: String, v2: String, policy: CompatibilityPolicy) throws(CLIError) -> CompatibilityReport
    {
        let v1Schema = try compile(v1, side: "v1")
        let v2Schema = try compile(v2, side: "v2")
        let roots: CompatibilityRoots = message.map { .named($0) } ?? .allTopLevel
        do {
            return try CompatibilityChecker(policy: policy).check(v1: v1Schema, v2: v2Schema, roots: roots)
        } catch {
            throw CLIError.usage(error.description)
        }
    }

    /// Compiles one side in its own compiler call (its own pool).
    private func compile(_ file: String, side: String) throws(CLIError) -> CompatibilitySchema {
        guard FileManager.default.fileExists(atPath: file) else {
            throw CLIError.io("\(file): no such file (--\(side))")
        }
        let directory = (file as NSString).deletingLastPathComponent
        let roots = importPaths.isEmpty ? [directory.isEmpty ? "." : directory, "."] : importPaths
        do {
            return CompatibilitySchema(try ProtoCompiler(importPaths: roots).compile(diskPaths: [file]))
        } catch {
            throw CLIError.schema(error.description)
        }
    }

    /// The policy table of every rule, as `--help` shows it.
    static var policyTable: String {
        let rules = CompatibilityRule.all + PlanRule.all
        let width = rules.map(\.id.count).max() ?? 0
        func pad(_ text: String, _ count: Int) -> String {
            text + String(repeating: " ", count: max(0, count - text.count))
        }
        var lines = [pad("rule", width) + "  wire     wire_json  strict"]
        for rule in rules {
            lines.append(
                pad(rule.id, width) + "  " + pad(rule.wire.rawValue, 7) + "  " + pad(rule.wireJSON.rawValue, 9) + "  "
                    + rule.strict.rawValue)
        }
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
