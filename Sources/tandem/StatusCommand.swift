import ArgumentParser
import Foundation
import Tandem
import TandemPostgres
import TandemReports

/// `tandem status`: the fleet's gate and breaker as its ledger holds them.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a fleet's gate and breaker: consistency, interval, breaker state and version, instances.",
        discussion: """
            Reads the fleet ledger every instance of a service shares (TandemMigration's fleetLedger, DESIGN \
            section 10): the fleet breaker's state, version and last change, the fleet's window under that version \
            with its consistency interval and the gate's verdict, and each instance's counts in the window, its \
            newest bucket and the breaker version it applied. The window is judged by the gate settings of the \
            breaker's last change. --watch prints it again every second until interrupted.

            Exit code: 0 passing, 1 the breaker halts the canary or the gate failed, 4 inconclusive (too few \
            comparisons), 3 the ledger cannot be read (a server that does not answer is retried for 5 seconds); 2 for a \
            usage error.

            Examples:
              tandem status --ledger 'postgres://tandem@db:5432/app?table=orders'
              tandem status --ledger 'postgres://tandem@db:5432/app?table=orders' --format json
            """
    )

    @Option(
        help: ArgumentHelp(
            "The fleet ledger: postgres://USER@HOST:PORT/DB?table=NAME (or an SQLite ledger file).", valueName: "url"))
    var ledger: String

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(help: "Print the status again every second until interrupted.")
    var watch = false

    func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
    }

    /// 1 while the fleet breaker halts the canary, else the gate's verdict on the fleet's window.
    static func exitStatus(_ status: FleetStatus) -> ExitStatus {
        if status.breaker?.state.isHalting == true { return .failed }
        switch status.verdict.outcome {
        case .passed: return .passed
        case .failed: return .failed
        case .inconclusive: return .inconclusive
        }
    }

    func run() throws {
        let shown = PostgresLocation.redacting(ledger)
        let backend: any LedgerBackend
        do { backend = try Ledger.backend(at: ledger, instance: "tandem-status", retryBudget: .seconds(5)) } catch {
            throw CLIError.io(error.description)
        }
        while true {
            let status: FleetStatus
            do { status = try FleetStatus.read(backend: backend) } catch { throw CLIError.io(error.description) }
            // Written at once (not through print's buffer), so that --watch into a pipe shows each status.
            FileHandle.standardOutput.write(
                Data((FleetStatusText.render(status, ledger: shown, format: format) + "\n").utf8))
            guard watch else {
                try Self.exitStatus(status).exitUnlessPassed()
                return
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}
