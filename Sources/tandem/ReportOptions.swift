import ArgumentParser

/// The report options `replay` and `verify` share: `--report`/`--format` pairs, `--max-samples`, `--quiet`.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("report"), help: ArgumentHelp("Write a report here (repeatable).", valueName: "path"))
    var reports: [String] = []

    @Option(
        name: .customLong("format"),
        help: ArgumentHelp("Format of the matching --report: json|csv|junit|html|md|prom.", valueName: "fmt"))
    var formats: [String] = []

    @Option(name: .customLong("max-samples"), help: "Mismatching keys kept in the report's sample.")
    var maxSamples: Int = 1000

    @Flag(help: "No progress line and no summary (errors still print).")
    var quiet = false

    func validate() throws {
        if maxSamples < 0 { throw ValidationError("--max-samples must be 0 or more") }
    }

    /// The report targets, paired and checked.
    func targets() throws(CLIError) -> ReportTargets {
        try ReportTargets(reports: reports, formats: formats)
    }
}
