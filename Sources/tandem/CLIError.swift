import Tandem

/// A failure of a subcommand, with the exit code of the CLI contract (DESIGN section 7).
struct CLIError: Error {
    /// The message printed after `tandem: ` on stderr; it names the file, line, entry or key concerned.
    var message: String
    /// What the process exits with.
    var status: ExitStatus

    static func usage(_ message: String) -> CLIError { CLIError(message: message, status: .usage) }
    static func schema(_ message: String) -> CLIError { CLIError(message: message, status: .usage) }
    static func io(_ message: String) -> CLIError { CLIError(message: message, status: .io) }
}

extension CLIError {
    /// An engine failure opening or using the stores: a usage error (2) when the settings are invalid or the
    /// arguments name the stores wrongly (one file as both stores), else a store or I/O error (3).
    static func engine(_ error: EngineError) -> CLIError {
        error.code == .configuration || error.storeError?.code == .invalidArgument
            ? usage(error.description) : io(error.description)
    }
}
