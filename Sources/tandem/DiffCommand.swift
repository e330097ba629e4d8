import ArgumentParser
import Foundation
import Tandem
import TandemPostgres
import TandemProto
import TandemReports

/// `tandem diff`: one key's two records decoded side by side, with their differences.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show one key's shadow and projected primary records side by side, with their differences.",
        discussion: """
            Both records are shown in proto3 JSON in the v1 shape: the shadow as stored, the primary after \
            projection through the plan's whitelist. Redacted fields show a salted hash, never the value. \
            Exit codes: 0 the records match, 1 they differ, 2 usage or plan error, 3 store error or unknown key.

            Example:
              tandem diff Migrations/user-profile --primary primary.sqlite --shadow shadow.sqlite --key u42
            """
    )

    @OptionGroup var paths: StorePathOptions

    @Option(help: "The record key.")
    var key: String

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let plan = try PlanLoading.load(paths.planDirectory)
        for path in [paths.primary, paths.shadow]
        where !RecordBackends.isServerStore(path) && !FileManager.default.fileExists(atPath: path) {
            throw CLIError.io("\(path): no such store")
        }
        let engine: MigrationEngine
        let pair: RecordPair
        do {
            // A diff runs beside a live writer: no writer lock (the outbox replay on open is seq-conditional).
            engine = try MigrationEngine(
                plan: plan, primary: paths.primary, shadow: paths.shadow,
                configuration: .init(writer: .init(exclusive: false)))
            pair = try engine.writer.readPair(key)
        } catch let error as EngineError {
            throw CLIError.engine(error)
        } catch {
            throw CLIError.io("\(error)")
        }
        guard pair.primary != nil || pair.shadow != nil else {
            throw CLIError.io("key \"\(key)\" is in neither store (\(paths.primary), \(paths.shadow))")
        }
        let view = RecordView(engine: engine, pair: pair)
        if format == "json" {
            print(RecordViewJSON.value(view).jsonString(options: JSONWritingOptions(pretty: true)))
        } else {
            print(RecordViewText.render(view), terminator: "")
        }
        if !view.diffs.isEmpty { try ExitStatus.failed.exitUnlessPassed() }
    }
}
