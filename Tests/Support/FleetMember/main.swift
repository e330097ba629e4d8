import Foundation
import Logging
import Tandem
import TandemPostgres

// Child process for the fleet tests (Tests/TandemTests/Fleet/FleetProcessTests.swift): one instance of a service
// sharing a fleet ledger.
//
//   tandem-fleet-member LEDGER INSTANCE MISMATCH_PER_MILLE
//       Records 200 comparisons every 20 ms into its own gate and breaker (MISMATCH_PER_MILLE of each thousand
//       differ: the planted divergence), runs a FleetBreaker on LEDGER (a PostgreSQL URL) as INSTANCE, and prints
//       "STATE <state>" whenever its own breaker changes state. Runs until killed.

func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let args = CommandLine.arguments
guard args.count == 4, let perMille = Int(args[3]), (0...1000).contains(perMille) else {
    emit("usage: tandem-fleet-member LEDGER INSTANCE MISMATCH_PER_MILLE")
    exit(2)
}
let instance = args[2]
do {
    let location = try PostgresLocation(url: args[1])
    let backend = try PostgresLedgerBackend(location: location, instance: instance)
    let logger = Logger(label: "fleet-member", factory: { _ in SwiftLogNoOpLogHandler() })
    let gate = GateConfiguration(minConsistency: 0.999, minSamples: 2_000, window: .seconds(30))
    let breaker = try CircuitBreaker(
        gate: gate, configuration: BreakerConfiguration(openSeconds: 600), logger: logger,
        onTransition: { emit("STATE \($0.to.rawValue)") })
    let fleet = try FleetBreaker(
        backend: backend, instance: instance, gate: try ConsistencyGate(configuration: gate, breaker: breaker),
        configuration: .init(pollInterval: .milliseconds(100), evaluationInterval: .milliseconds(500)))
    emit("READY")
    Task { await fleet.run() }
    // The gate the fleet breaker publishes is the one it was given; record through it.
    var recorded = 0
    while true {
        let outcomes: [ComparisonOutcome] = (0..<200).map { index in
            (recorded + index) % 1000 < perMille ? .mismatch : .match
        }
        recorded += outcomes.count
        fleet.gate.record(outcomes)
        try await Task.sleep(for: .milliseconds(20))
    }
} catch {
    emit("ERROR \(error)")
    exit(3)
}
