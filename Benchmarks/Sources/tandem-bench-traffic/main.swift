// Writes a writes-only traffic file for the verify and memory scripts:
//
//     tandem-bench-traffic PLAN_DIR OPERATIONS OUT_FILE [SEED]
//
// `tandem generate-traffic` draws keys from 1,500 names and mixes in reads and deletes, so its files never hold
// more than 1,500 records. This tool uses the same generator (TrafficGenerator) with a key space of 20x the
// operation count and no reads or deletes, so nearly every line writes a new record: a replay of N lines leaves
// about N records in each store.
import Foundation
import Tandem

let arguments = CommandLine.arguments
guard arguments.count >= 4, let operations = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: tandem-bench-traffic PLAN_DIR OPERATIONS OUT_FILE [SEED]\n".utf8))
    exit(2)
}
let seed = arguments.count > 4 ? UInt64(arguments[4]) ?? 1 : 1
do {
    let plan = try MigrationPlan.load(directory: arguments[1])
    let generator = TrafficGenerator(
        plan: plan,
        configuration: .init(
            operations: operations, seed: seed, readRate: 0, deleteRate: 0, keySpace: max(1, operations * 20)))
    _ = FileManager.default.createFile(atPath: arguments[3], contents: nil)
    guard let handle = FileHandle(forWritingAtPath: arguments[3]) else {
        FileHandle.standardError.write(Data("cannot write \(arguments[3])\n".utf8))
        exit(1)
    }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    try generator.generate { line in
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 {
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
    try handle.write(contentsOf: buffer)
    try handle.close()
} catch {
    FileHandle.standardError.write(Data("tandem-bench-traffic: \(error)\n".utf8))
    exit(1)
}
