import Foundation
import FuzzSupport
import Tandem

/// The plan loader on arbitrary `tandem.yaml` text beside the user-profile schemas: a PlanError naming the key or
/// entry, or a plan, never a crash (YAML, shapes, ranges, whitelist and compare rules, gate numbers).
let directory: String = {
    let path = NSTemporaryDirectory() + "tandem-fuzz-plan-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    for file in ["v1.proto", "v2.proto"] {
        let source = FuzzSupport.repositoryRoot + "/Migrations/user-profile/" + file
        _ = try? FileManager.default.removeItem(atPath: path + "/" + file)
        try? FileManager.default.copyItem(atPath: source, toPath: path + "/" + file)
    }
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlanLoader(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let yaml = Data(bytes: data, count: count)
    guard FileManager.default.createFile(atPath: directory + "/tandem.yaml", contents: yaml) else { return 0 }
    if let plan = try? MigrationPlan.load(directory: directory) {
        // A plan that loads has gate and breaker settings an engine accepts.
        do {
            try plan.gate.validate()
            try plan.breaker.validate()
        } catch {
            FuzzSupport.finding("a loaded plan has settings its gate refuses: \(error)")
        }
    }
    return 0
}
