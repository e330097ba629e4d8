import Foundation
import Tandem

/// What the CLI prints to people: progress on a terminal, summaries, warnings. Errors always print; `--quiet`
/// silences progress and summaries.
struct Console {
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1

    func progress(_ progress: ReplayProgress, unit: String) {
        guard !quiet && isTerminal else { return }
        let line = String(
            format: "\r%@ %d %@ (%.0f/s)  consistency %.5f over %d  breaker %@   ",
            "tandem:", progress.processed, unit, progress.rate, progress.consistency, progress.compared,
            progress.breakerState.rawValue)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func endProgress() {
        guard !quiet && isTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    func warning(_ text: String) {
        FileHandle.standardError.write(Data(("tandem: " + text + "\n").utf8))
    }

    /// A line about the run on stderr (a rollout decision), unless `--quiet`.
    func note(_ text: String) {
        guard !quiet else { return }
        if isTerminal { endProgress() }
        FileHandle.standardError.write(Data(("tandem: " + text + "\n").utf8))
    }

    func summary(_ text: String) {
        guard !quiet else { return }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}
