import ArgumentParser

/// The plan directory and the two existing stores a command reads: `diff`, and with a ledger `verify`, `backfill` and
/// `repair`.
struct StorePathOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The plan directory (holds tandem.yaml).", valueName: "plan-dir"))
    var planDirectory: String

    @Option(
        help: ArgumentHelp(
            "The primary (v2) store: an SQLite file, or postgres://USER@HOST:PORT/DB?table=NAME (default table "
                + "tandem_v2).", valueName: "db"))
    var primary: String

    @Option(
        help: ArgumentHelp(
            "The shadow (v1) store: an SQLite file, or a PostgreSQL URL (default table tandem_v1).", valueName: "db"))
    var shadow: String
}

/// The plan and existing stores that `verify`, `backfill` and `repair` work on: the plan directory, `--primary`,
/// `--shadow` and `--ledger`.
struct StoreOptions: ParsableArguments {
    @OptionGroup var paths: StorePathOptions

    @Option(
        help: ArgumentHelp(
            "Ledger: an SQLite file or a fleet ledger's postgres://USER@HOST:PORT/DB?table=NAME; default: ledger.sqlite next "
                + "to --primary (in the working directory for a URL).",
            valueName: "db"))
    var ledger: String?

    /// The plan directory.
    var planDirectory: String { paths.planDirectory }
    /// The primary (v2) store.
    var primary: String { paths.primary }
    /// The shadow (v1) store.
    var shadow: String { paths.shadow }
}
