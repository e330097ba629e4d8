import Foundation
import Tandem
import TandemReports

/// The `--report PATH` / `--format FMT` pairs of `replay` and `verify`: paired in order; without a format, the
/// format comes from the path's extension.
struct ReportTargets {
    struct Target {
        var path: String
        var format: ReportFormat
    }

    let targets: [Target]

    /// Pairs the options, failing with a usage error that names the path or format at fault.
    init(reports: [String], formats: [String]) throws(CLIError) {
        if formats.count > reports.count {
            throw CLIError.usage("--format \(formats[reports.count]) has no --report to pair with")
        }
        let names = ReportFormat.allCases.map(\.rawValue).joined(separator: "|")
        var targets: [Target] = []
        for (index, path) in reports.enumerated() {
            if index < formats.count {
                guard let format = ReportFormat(name: formats[index]) else {
                    throw CLIError.usage("--format \(formats[index]): unknown report format (expected \(names))")
                }
                targets.append(Target(path: path, format: format))
            } else {
                guard let format = ReportFormat(path: path) else {
                    throw CLIError.usage(
                        "--report \(path): cannot tell the format from the extension; add --format (\(names))")
                }
                targets.append(Target(path: path, format: format))
            }
        }
        self.targets = targets
    }

    /// Renders and writes every report; an unwritable path is an I/O error naming it.
    func write(_ report: Report) throws(CLIError) {
        for target in targets {
            let text = ReportRenderer.render(report, as: target.format)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: target.path), options: .atomic)
            } catch {
                throw CLIError.io("\(target.path): cannot write the report: \(error.localizedDescription)")
            }
        }
    }
}
