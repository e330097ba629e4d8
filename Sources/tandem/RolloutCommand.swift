import ArgumentParser
import Foundation
import Logging
import Tandem
import TandemPostgres
import TandemReports

/// `tandem rollout`: shows a rollout kept in a ledger, and lets an operator promote, pause, resume or roll it back.
struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Show or steer the rollout a ledger holds: status, promote, pause, resume, rollback.",
        discussion: """
            The rollout is the one a RolloutController keeps in the ledger's rollout row (replay --rollout, or a \
            service running the controller); every command is recorded there as a decision with its evidence, by \
            compare-and-set, so a running controller sees it. The plan directory gives the rollout's steps. \
            Exit codes: 0 done, 2 refused (the reason is printed) or usage/plan error, 3 ledger error.

            Example:
              tandem rollout status Migrations/user-profile-rollout --ledger ledger.sqlite
              tandem rollout pause Migrations/user-profile-rollout --ledger ledger.sqlite --format json
            """,
        subcommands: [Status.self, Promote.self, Pause.self, Resume.self, Rollback.self]
    )

    /// What every rollout command takes.
    struct Options: ParsableArguments {
        @Argument(
            help: ArgumentHelp("The plan directory (holds tandem.yaml with a rollout: block).", valueName: "plan-dir"))
        var planDirectory: String

        @Option(
            help: ArgumentHelp(
                "The ledger that holds the rollout: an SQLite file or a fleet ledger's postgres:// URL.",
                valueName: "db"))
        var ledger: String

        @Option(help: "Output format: text or json.")
        var format: String = "text"

        func validate() throws {
            guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where the rollout stands and its decisions.")
        @OptionGroup var options: Options
        func run() throws { try RolloutTool.run(options, command: nil) }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move to the next step now, whatever the evidence.")
        @OptionGroup var options: Options
        func run() throws {
            try RolloutTool.run(options) { (controller) throws(RolloutError) in try controller.promote() }
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop automatic decisions until resume.")
        @OptionGroup var options: Options
        func run() throws {
            try RolloutTool.run(options) { (controller) throws(RolloutError) in try controller.pause() }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a paused or halted rollout decide again (refused while the breaker halts).")
        @OptionGroup var options: Options
        func run() throws {
            try RolloutTool.run(options) { (controller) throws(RolloutError) in try controller.resume() }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Go back to shadow and halt until resume.")
        @OptionGroup var options: Options
        func run() throws {
            try RolloutTool.run(options) { (controller) throws(RolloutError) in try controller.rollback() }
        }
    }
}

/// The shared work of the `tandem rollout` commands: open the ledger without starting a run, steer, print.
enum RolloutTool {
    static func run(
        _ options: RolloutCommand.Options,
        command: ((RolloutController) throws(RolloutError) -> RolloutDecision)?
    ) throws(CLIError) {
        let plan = try PlanLoading.load(options.planDirectory)
        guard let rolloutPlan = plan.rollout else {
            throw CLIError.usage("\(plan.planFile ?? options.planDirectory): the plan has no rollout: block")
        }
        let backend: any LedgerBackend
        do {
            backend = try Ledger.backend(at: options.ledger)
            guard try backend.state(RolloutController.ledgerRow) != nil else {
                throw CLIError.usage(
                    "\(options.ledger): the ledger holds no rollout (start one with replay --rollout, or in a service "
                        + "with a RolloutController)")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.io("\(error)")
        }
        let controller: RolloutController
        do {
            let breaker = try CircuitBreaker(
                gate: plan.gate, configuration: plan.breaker,
                logger: Logger(label: "tandem", factory: { _ in SwiftLogNoOpLogHandler() }))
            // Resume is refused while the breaker halts: the ledger's breaker row says whether it does.
            if let row = try backend.state(Ledger.breakerStateRow),
                let state = BreakerState(rawValue: String(decoding: row.value, as: UTF8.self)), state.isHalting
            {
                breaker.forceOpen()
            }
            let gate = try ConsistencyGate(configuration: plan.gate, breaker: breaker)
            controller = try RolloutController(plan: rolloutPlan, gate: gate, breaker: breaker, ledger: backend)
        } catch let error as RolloutError {
            throw CLIError(message: "\(options.ledger): \(error.reason)", status: error.code == .refused ? .usage : .io)
        } catch let error as LedgerError {
            throw CLIError.io(error.description)
        } catch {
            throw CLIError.usage("\(plan.planFile ?? options.planDirectory): \(error)")
        }
        var decision: RolloutDecision?
        if let command {
            do { decision = try command(controller) } catch {
                throw CLIError(
                    message: "\(options.ledger): \(error.reason)", status: error.code == .refused ? .usage : .io)
            }
        }
        print(RolloutText.render(controller.status, decision: decision, plan: plan.name, format: options.format))
    }
}
