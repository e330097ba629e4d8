import Foundation
import Tandem
import TandemProto
import TandemTestSupport
import Testing

@testable import TandemPostgres

/// `tandem status` on a fleet ledger of the test server: what it prints and how it exits.
@Suite("tandem status", .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct StatusCommandTests {
    static func tandem(_ arguments: [String]) throws -> Binaries.Result {
        try Binaries.run("tandem", arguments)
    }

    @Test
    func statusShowsTheFleetAndExitsWithItsVerdict() throws {
        let server = try #require(PostgresTestServer.url)
        let location = try PostgresLedgerTests.freshLedger()
        let url = server + (server.contains("?") ? "&" : "?") + "table=\(location.table ?? "")"

        let empty = try Self.tandem(["status", "--ledger", url])
        #expect(empty.status == 4, "\(empty.stderr)")
        #expect(empty.stdout.contains("no instance has run yet"))

        let gate = GateConfiguration(minConsistency: 0.99, minSamples: 1_000, window: .seconds(120))
        let members = try (0..<2).map {
            try FleetMember(
                try PostgresLedgerBackend(location: location, instance: "svc-\($0)"), "svc-\($0)", gate: gate,
                breaker: .init(openSeconds: 600))
        }
        for member in members {
            member.record(600, mismatched: 0)
            member.fleet.poll()
        }
        let passing = try Self.tandem(["status", "--ledger", url, "--format", "json"])
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
        let json = try JSONValue(parsing: passing.stdout)
        #expect(json["breaker"]?["state"] == .string("closed"))
        #expect(json["window"]?["compared"] == .integer(1_200))
        #expect(json["gate"]?["passed"] == .bool(true))
        #expect(json["instances"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 2)

        members[1].record(600, mismatched: 60)
        members[1].fleet.poll()
        let halted = try Self.tandem(["status", "--ledger", url])
        #expect(halted.status == 1, "\(halted.stdout)\(halted.stderr)")
        #expect(halted.stdout.contains("breaker: open (version 2"), "\(halted.stdout)")
        #expect(halted.stdout.contains("svc-1"))

        // Nothing listens on port 1: the ledger cannot be read (after the 5-second retry budget).
        let gone = try Self.tandem([
            "status", "--ledger", "postgres://\(location.user)@127.0.0.1:1/\(location.database)?sslmode=disable",
        ])
        #expect(gone.status == 3)
        #expect(gone.stderr.contains("127.0.0.1:1"), "\(gone.stderr)")
    }
}
