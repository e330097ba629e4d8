import Foundation
import Tandem
import TandemPostgres

/// The ledger of a `replay` or `verify` run: breaker transitions as they happen, and checkpoints of the report
/// (during the run and at its end) from which `tandem report` rebuilds every format.
final class RunLedger: Sendable {
    let ledger: Ledger
    let console: Console

    /// Opens the ledger and writes the run's first checkpoint (`initial`) in the same transaction, so a run killed at
    /// any moment from here on leaves a ledger that renders; transitions from `hook` go to it from now on.
    init(path: String, durable: Bool, console: Console, initial: Report, hook: TransitionHook) throws(CLIError) {
        do {
            ledger = try Ledger.open(at: path, configuration: .init(durable: durable), initial: initial)
        } catch {
            throw CLIError.io(error.description)
        }
        self.console = console
        hook.attach(ledger)
    }

    /// Writes the report as the ledger's current state; a failure is a warning during the run.
    func checkpoint(_ report: Report) {
        do {
            try ledger.checkpoint(report: report)
        } catch {
            console.warning("ledger checkpoint failed: \(error.description)")
        }
    }

    /// The final checkpoint: a failure is an I/O error of the run.
    func finish(_ report: Report) throws(CLIError) {
        do {
            try ledger.checkpoint(report: report)
        } catch {
            throw CLIError.io(error.description)
        }
    }
}
