import ArgumentParser

/// The plan and existing stores that `verify`, `backfill` and `repair` work on: the plan directory, `--primary`,
/// `--shadow` and `--ledger`.
struct StoreOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The plan directory (holds tandem.yaml).", valueName: "plan-dir"))
    var planDirectory: String

    @Option(help: ArgumentHelp("The primary (v2) store.", valueName: "db"))
    var primary: String

    @Option(help: ArgumentHelp("The shadow (v1) store.", valueName: "db"))
    var shadow: String

    @Option(help: ArgumentHelp("Ledger file; default: ledger.sqlite next to --primary.", valueName: "db"))
    var ledger: String?
}
