import ArgumentParser
import Foundation
import Tandem
import TandemPostgres
import TandemReports

/// `tandem replay`: replays captured traffic through the dual-write and shadow-read engine and gates on the result.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay captured traffic (JSONL) through dual-write and shadow comparison, and gate on consistency.",
        discussion: """
            Each traffic line is a write, read or delete (see DESIGN section 7). Writes go to the v2 primary store \
            and the whitelisted v1 shadow store; every sampled read compares both records field by field and feeds \
            the consistency gate and the circuit breaker. Traffic timestamps (ts) drive the gate's clock.

            Stores and ledger default to fresh files in a temporary directory. Commits happen at least every 100 ms; \
            the ledger is checkpointed every second and right after each breaker transition. A line longer than \
            --max-line-bytes, or one whose key is over 1,024 bytes, is a counted bad line; the run goes on.

            Exit codes: 0 gate passed, 1 gate failed or breaker opened, 2 usage/plan/schema error, \
            3 store or I/O error, 4 inconclusive (fewer than min_samples comparisons). With --rollout the plan's \
            rollout: block is walked on the traffic's clock (dualwrite compares nothing; shadow and each canary step \
            promote when the gate is confident on the step's own comparisons) and the exit code is the rollout's:
            0 it reached its last step, 1 the breaker halted it, 4 the traffic ended before.

            Example:
              tandem replay Migrations/user-profile --traffic Examples/traffic/user-profile.jsonl \\
                --report report.json --report report.html
            """
    )

    @Argument(help: ArgumentHelp("The plan directory (holds tandem.yaml).", valueName: "plan-dir"))
    var planDirectory: String

    @Option(help: ArgumentHelp("Traffic file (JSONL), or - for standard input.", valueName: "file"))
    var traffic: String

    @Option(
        help: ArgumentHelp(
            "Primary (v2) store: an SQLite file or postgres://USER@HOST:PORT/DB?table=NAME (default table tandem_v2); "
                + "default: a fresh temporary file.", valueName: "db"))
    var primary: String?

    @Option(
        help: ArgumentHelp(
            "Shadow (v1) store: an SQLite file or a PostgreSQL URL (default table tandem_v1); default: a fresh "
                + "temporary file.", valueName: "db"))
    var shadow: String?

    @Option(
        help: ArgumentHelp(
            "Ledger: an SQLite file or a fleet ledger's postgres://USER@HOST:PORT/DB?table=NAME; default: ledger.sqlite "
                + "next to --primary (in the working directory for a URL), or a temporary file.",
            valueName: "db"))
    var ledger: String?

    @Option(
        help: ArgumentHelp(
            "Dual-write mode: outbox (default) or atomic (one transaction over both stores; PostgreSQL: both tables in "
                + "one database)."))
    var mode: DualWriteMode = .outbox

    @Flag(help: "synchronous=FULL: writes also survive power loss.")
    var durable = false

    @Option(help: ArgumentHelp("Longest traffic line, in bytes; a longer one is a counted bad line.", valueName: "n"))
    var maxLineBytes: Int = TrafficLineReader.defaultMaxLineBytes

    @Flag(
        help: """
            Walk the plan's rollout: block on the traffic's clock; exit 0 when it reached its last step, 1 when the \
            breaker halted it, 4 when the traffic ended before.
            """)
    var rollout = false

    @OptionGroup var output: ReportOptions

    func validate() throws {
        guard maxLineBytes > 0 && maxLineBytes <= 1 << 30 else {
            throw ValidationError("--max-line-bytes must be between 1 and 1073741824")
        }
    }

    func run() throws {
        let console = Console(quiet: output.quiet)
        let outputs = try output.targets()
        let plan = try PlanLoading.load(planDirectory)
        let reader: TrafficLineReader
        if traffic == "-" {
            reader = TrafficLineReader(handle: FileHandle.standardInput, maxLineBytes: maxLineBytes)
        } else {
            do {
                reader = try TrafficLineReader(path: traffic, maxLineBytes: maxLineBytes)
            } catch {
                throw CLIError.io(error.description)
            }
        }
        let files = try RunFiles.resolve(primary: primary, shadow: shadow, ledger: ledger)
        let (report, shadowPending) = try ReplayRun.run(
            plan: plan, reader: reader, trafficFile: traffic, files: files,
            writer: DualWriter.Configuration(mode: mode, durable: durable), maxSamples: output.maxSamples,
            console: console, rollout: rollout)
        try outputs.write(report)
        var shown: [(String, String)] = [
            ("primary", files.primary), ("shadow", files.shadow), ("ledger", files.ledger),
        ].map { ($0, PostgresLocation.redacting($1)) }
        for target in outputs.targets { shown.append(("report (\(target.format))", target.path)) }
        console.summary(RunSummary.render(report, files: shown))
        if shadowPending > 0 {
            throw CLIError.io(
                "\(shadowPending) shadow writes failed after their primary commit (\(files.shadow)); they wait in the "
                    + "outbox of \(files.primary) and the next open or verify replays them")
        }
        try ExitStatus(ReportVerdict(report)).exitUnlessPassed()
    }
}
