import ArgumentParser
import Foundation
import Tandem
import TandemPostgres

/// Where the stores and the ledger of a run live: given paths or PostgreSQL URLs, or fresh files in one temporary
/// directory.
struct RunFiles {
    var primary: String
    var shadow: String
    var ledger: String
    var temporaryDirectory: String?

    static func resolve(primary: String?, shadow: String?, ledger: String?) throws(CLIError) -> RunFiles {
        // Server stores are never temporary: a URL names both tables, or neither.
        for (given, other, name) in [(primary, shadow, "--shadow"), (shadow, primary, "--primary")]
        where given.map(RecordBackends.isServerStore) == true && other == nil {
            throw CLIError.usage("with a PostgreSQL URL for one store, \(name) must name the other (a URL too)")
        }
        var temporary: String? = nil
        func temporaryPath(_ name: String) throws(CLIError) -> String {
            if temporary == nil {
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent(
                        "tandem-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw CLIError.io(
                        "\(directory.path): cannot create a temporary directory: \(error.localizedDescription)")
                }
                temporary = directory.path
            }
            return (temporary ?? "") + "/" + name
        }
        let primaryPath: String
        if let primary { primaryPath = primary } else { primaryPath = try temporaryPath("primary.sqlite") }
        let shadowPath: String
        if let shadow { shadowPath = shadow } else { shadowPath = try temporaryPath("shadow.sqlite") }
        let ledgerPath: String
        if let ledger {
            ledgerPath = ledger
        } else if let primary, RecordBackends.isServerStore(primary) {
            // A server store has no directory of its own: the ledger file goes to the working directory.
            ledgerPath = "ledger.sqlite"
        } else if primary != nil {
            // DESIGN 5: by default the ledger sits next to the primary store.
            ledgerPath =
                URL(fileURLWithPath: primaryPath).deletingLastPathComponent().appendingPathComponent("ledger.sqlite")
                .path
        } else {
            ledgerPath = try temporaryPath("ledger.sqlite")
        }
        return RunFiles(primary: primaryPath, shadow: shadowPath, ledger: ledgerPath, temporaryDirectory: temporary)
    }
}
