import ArgumentParser
import Foundation
import Tandem
import TandemPostgres
import TandemReports

/// `tandem report`: rebuilds the report of a run from its ledger and writes it in one format.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report of a run again, in any format, from its ledger.",
        discussion: """
            The ledger (replay's and verify's --ledger) holds everything a report shows; the report is that of the \
            ledger's last checkpoint, so a killed run still has one. The format comes from --format, else from the \
            extension of --out: .json .csv .xml (junit) .html .md .prom.

            Exit code: the report's verdict (0 passed, 1 failed or breaker opened, 4 inconclusive), after the file \
            is written; 2 for a usage error; 3 when the ledger cannot be read or the file cannot be written.

            Examples:
              tandem report /tmp/run/ledger.sqlite --out report.html
              tandem report ledger.sqlite --out summary.txt --format md
              tandem report 'postgres://tandem@db:5432/app?table=orders_v2' --instance web-3:4121 --out r.json
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The ledger of a replay or verify run: its SQLite file, or a fleet ledger's postgres:// URL.",
            valueName: "ledger-db"))
    var ledger: String

    @Option(
        help: ArgumentHelp(
            "In a fleet ledger, the instance whose report to write (default: the newest checkpoint).",
            valueName: "name"))
    var instance: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Where to write the report.", valueName: "path"))
    var out: String

    @Option(
        name: .customLong("format"),
        help: ArgumentHelp(
            "json, csv, junit, html, md or prom (default: from the extension of --out).", valueName: "fmt"))
    var format: String?

    func run() throws {
        let reportFormat: ReportFormat
        if let format {
            guard let named = ReportFormat(name: format) else {
                let names = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIError.usage("--format \(format): unknown report format (use one of \(names))")
            }
            reportFormat = named
        } else {
            guard let implied = ReportFormat(path: out) else {
                throw CLIError.usage(
                    "\(out): cannot tell the report format from the extension (use .json .csv .xml .html .md .prom, "
                        + "or --format)")
            }
            reportFormat = implied
        }
        let report: Report
        do {
            report = try Ledger.loadReport(at: ledger, instance: instance)
        } catch {
            throw CLIError.io(error.description)
        }
        let text = ReportRenderer.render(report, as: reportFormat)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError.io("\(out): cannot write the report: \(error.localizedDescription)")
        }
        let status = ExitStatus(ReportVerdict(report))
        if status != .passed { throw CLIError(message: "\(out): \(ReportVerdict.reason(report))", status: status) }
    }
}
