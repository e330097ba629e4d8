import ArgumentParser
import Foundation

/// The `tandem` command: safe protobuf schema migrations.
@main
struct TandemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Make protobuf schema migrations (v1 -> v2) safe to roll out.",
        discussion: """
            Exit codes, for every subcommand:
              0  gate passed, or nothing wrong
              1  gate failed or breaker opened
                 (check: an error-level finding; diff: the records differ;
                 replay --rollout: the breaker halted the rollout)
              2  usage, plan or schema error (rollout: the command was refused)
              3  store or I/O error
              4  inconclusive: fewer than min_samples comparisons,
                 and the breaker never opened (replay --rollout: the
                 traffic ended before the rollout's last step)

            Example:
              tandem replay Migrations/user-profile \\
                --traffic Examples/traffic/user-profile.jsonl --report report.json
            """,
        subcommands: [
            SchemaCommand.self, CheckCommand.self, ReportCommand.self, ReplayCommand.self, VerifyCommand.self,
            DiffCommand.self, BackfillCommand.self, RepairCommand.self, RolloutCommand.self, DemoCommand.self,
            GenerateTrafficCommand.self, StatusCommand.self,
        ]
    )

    /// Parses and runs like `ParsableCommand.main()`, but maps usage errors to exit code 2 (not
    /// ArgumentParser's 64) and Tandem's own errors to the exit codes of the CLI contract.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data(("tandem: " + error.message + "\n").utf8))
            Foundation.exit(error.status.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version: ArgumentParser's clean exits print to stdout.
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(
                code == ExitCode.validationFailure || code.rawValue == 64 ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }
}
