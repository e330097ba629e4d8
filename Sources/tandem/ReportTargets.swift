import Foundation
import Tandem
import TandemReports

/// The `--report PATH` / `--format FMT` pairs of `replay` and `verify`: paired in order; without a format, the
/// format comes from the path's extension.
struct ReportTargets {
    struct Target {
        var path: String
        var format: String
    }

    static let formats = ["json", "csv", "junit", "html", "md", "prom"]
    static let extensions = ["json": "json", "csv": "csv", "xml": "junit", "html": "html", "htm": "html", "md": "md",
                             "prom": "prom"]

    let targets: [Target]

    /// Pairs the options, failing with a usage error that names the path or format at fault.
    init(reports: [String], formats: [String]) throws(CLIError) {
        if formats.count > reports.count {
            throw CLIError.usage("--format \(formats[reports.count]) has no --report to pair with")
        }
        var targets: [Target] = []
        for (index, path) in reports.enumerated() {
            var format: String
            if index < formats.count {
                format = formats[index].lowercased()
            } else {
                let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
                guard let byExtension = Self.extensions[ext] else {
                    throw CLIError.usage("--report \(path): cannot tell the format from the extension \".\(ext)\"; add --format (\(Self.formats.joined(separator: "|")))")
                }
                format = byExtension
            }
            if format == "xml" { format = "junit" }
            if format == "markdown" { format = "md" }
            guard Self.formats.contains(format) else {
                throw CLIError.usage("--format \(format): unknown report format (expected \(Self.formats.joined(separator: "|")))")
            }
            targets.append(Target(path: path, format: format))
        }
        self.targets = targets
    }

    /// Renders and writes every report; an unwritable path is an I/O error naming it.
    func write(_ report: Report) throws(CLIError) {
        for target in targets {
            let text = try Self.render(report, format: target.format)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: target.path), options: .atomic)
            } catch {
                throw CLIError.io("\(target.path): cannot write the report: \(error.localizedDescription)")
            }
        }
    }

    static func render(_ report: Report, format: String) throws(CLIError) -> String {
        switch format {
        case "json":
            return JSONReport.render(report)
        default:
            throw CLIError.usage("--format \(format): this report format is not available yet; use json")
        }
    }
}
