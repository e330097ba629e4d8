import Foundation
import Tandem

/// Loads a plan directory for a subcommand, mapping plan errors to exit code 2.
enum PlanLoading {
    static func load(_ directory: String) throws(CLIError) -> MigrationPlan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("\(directory): no such plan directory (it must hold tandem.yaml)")
        }
        do {
            return try MigrationPlan.load(directory: directory)
        } catch {
            throw CLIError.schema(error.description)
        }
    }
}
