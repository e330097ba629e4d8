import ArgumentParser
import Foundation
import Tandem
import TandemProto

/// `tandem backfill`: fills the store that lacks a record, beside live writers, resumably (DESIGN 11).
struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract:
            "Fill the store that lacks a record: v2-to-v1 projects primary records, v1-to-v2 inverts shadow rows.",
        discussion: """
            v2-to-v1 (default) writes the projection of every primary record that has no shadow row. v1-to-v2 builds \
            v2 records from shadow rows that have no primary row, through the plan's inverse; a plan that does not \
            invert (to_string or named converts, many-to-one enum maps, two entries from one v2 path) is refused \
            with every reason (exit 2). Every record built is checked to compare equal to its partner before it is \
            written; one that does not is listed with its key and the run exits 1. Writes are conditional: a key a \
            live writer wrote meanwhile, or deleted, is left as it is. Runs beside a live writer.

            The position is saved in the ledger every second: a rerun with the same ledger resumes after the last \
            key done, or just before the first record that could not be filled (from the start once a run \
            completed, or when the plan redacts its key field, since the ledger then holds no key). Exit codes: \
            0 done, 1 some records could not be filled, 2 plan or usage error, 3 store error.

            Example:
              tandem backfill Migrations/user-profile --primary primary.sqlite --shadow shadow.sqlite --rate 5000
            """
    )

    @OptionGroup var stores: StoreOptions

    @Option(help: ArgumentHelp("Which store is filled: v2-to-v1 (default) or v1-to-v2.", valueName: "direction"))
    var direction: String = Backfiller.Direction.v2ToV1.rawValue

    @Option(help: "Keys read, and rows written, per transaction.")
    var batch: Int = 512

    @Option(help: ArgumentHelp("The most keys looked at per second (default: no limit).", valueName: "n"))
    var rate: Double?

    @Flag(help: "Check and count what would be written; write nothing.")
    var dryRun = false

    @OptionGroup var output: ReportOptions

    func validate() throws {
        guard Backfiller.Direction(rawValue: direction) != nil else {
            throw ValidationError("--direction must be v2-to-v1 or v1-to-v2, not '\(direction)'")
        }
        if batch < 1 || batch > 100_000 { throw ValidationError("--batch must be between 1 and 100000") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
    }

    func run() throws {
        let direction = Backfiller.Direction(rawValue: direction) ?? .v2ToV1
        let plan = try PlanLoading.load(stores.planDirectory)
        // A plan that does not run backwards is refused before any store or the ledger is opened.
        if direction == .v1ToV2 {
            do {
                _ = try PlanInversion(plan: plan)
            } catch {
                throw CLIError.schema("\(plan.planFile ?? stores.planDirectory): \(error.description)")
            }
        }
        let run = try StoreRun(
            source: .backfill, plan: plan, stores: stores,
            output: output, initialJob: Report.Job(kind: .backfill, direction: direction, dryRun: dryRun),
            requirePrimary: direction == .v2ToV1, requireShadow: direction == .v1ToV2)
        let backfiller: Backfiller
        do {
            backfiller = try Backfiller(
                engine: run.engine,
                configuration: Backfiller.Configuration(
                    direction: direction, batchSize: batch, rate: rate, dryRun: dryRun))
        } catch {
            throw CLIError.schema("\(plan.planFile ?? stores.planDirectory): \(error.description)")
        }
        let resume = ResumePoint(
            job: "backfill/\(direction.rawValue)", plan: run.plan, redactsKeys: run.engine.redactor.redactsKeys)
        let after = resume.load(from: run.ledger.ledger, console: run.console)
        if let after { run.console.summary("resuming after key \(run.engine.redactor.key(after))") }
        do {
            try backfiller.run(
                after: after,
                progress: { progress in Self.show(progress, console: run.console) },
                checkpoint: { position in
                    if !dryRun { resume.save(position, complete: false, to: run.ledger.ledger, console: run.console) }
                    run.ledger.checkpoint(run.report(backfiller.job))
                })
        } catch {
            if !dryRun {
                resume.save(backfiller.position, complete: false, to: run.ledger.ledger, console: run.console)
            }
            throw run.fail(error, job: backfiller.job)
        }
        if !dryRun { resume.save(backfiller.position, complete: true, to: run.ledger.ledger, console: run.console) }
        try run.finish(backfiller.job)
    }

    /// The progress line, on a terminal only: keys so far of the total, rate, rows written, ETA.
    private static func show(_ progress: Backfiller.Progress, console: Console) {
        guard !console.quiet && console.isTerminal else { return }
        let rate = progress.elapsed > 0 ? Double(progress.scanned) / progress.elapsed : 0
        let eta = progress.eta.map { String(format: "ETA %.0f s", $0) } ?? "ETA -"
        let line = String(
            format: "\rtandem: backfill %d/%d keys (%.0f/s), %d written, %@   ", progress.scanned, progress.total, rate,
            progress.written, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// A backfill's saved position in the ledger: the last key done, for the plan it was done under.
struct ResumePoint {
    let job: String
    let plan: MigrationPlan
    /// The ledger never holds a key in clear when the plan redacts its key field: no position is kept then.
    let redactsKeys: Bool

    /// The key to resume after: the saved one when it was saved under this plan by a run that did not complete.
    func load(from ledger: Ledger, console: Console) -> String? {
        let bytes: [UInt8]?
        do {
            bytes = try ledger.resumePoint(job)
        } catch {
            console.warning("\(ledger.path): cannot read the saved position (\(error.description)); starting over")
            return nil
        }
        guard let bytes, let text = String(validating: bytes, as: UTF8.self),
            let value = try? JSONValue(parsing: text)
        else { return nil }
        guard value["plan_fingerprint"]?.stringValue == plan.fingerprint else {
            console.warning("\(ledger.path): the saved position is of another plan; starting over")
            return nil
        }
        guard value["complete"]?.boolValue != true else { return nil }
        return value["after"]?.stringValue
    }

    func save(_ position: String?, complete: Bool, to ledger: Ledger, console: Console) {
        let after: JSONValue = (redactsKeys ? nil : position).map { .string($0) } ?? .null
        let value = JSONValue.object([
            JSONValue.Member("plan_fingerprint", .string(plan.fingerprint)), JSONValue.Member("after", after),
            JSONValue.Member("complete", .bool(complete)),
        ])
        do {
            try ledger.saveResumePoint(job, Array(value.jsonString().utf8))
        } catch {
            console.warning("\(ledger.path): cannot save the position (\(error.description))")
        }
    }
}
