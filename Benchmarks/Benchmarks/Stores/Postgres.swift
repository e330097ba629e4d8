// Stores on PostgreSQL (DESIGN section 10): the dual writer's outbox mode over `PostgresRecordBackend` (both tables in
// one database, the outbox beside the primary) against a plain single-table upsert of the same v2 payload with the
// same durability (`synchronous_commit = on`, one transaction per write), with 1 and with 16 writers. Beside the ratios,
// the CPU each side spent per write (this process; the server's `postgres` processes), which tells whether a figure
// is bound by CPU (both cores busy) or by the latency of a group's round trip and commit. Issue targets:
// 1 writer >= 0.5x, 16 writers >= 1.0x. The baseline's writers each have a connection of their own (what 16 service
// threads writing one table do); the dual writer has its one writer connection and groups concurrent writes into
// shared transactions. A dual-write block ends when the shadow table holds every write of it. Atomic mode (both
// tables in one transaction, no outbox) is measured and reported too.
//
// Runs only when `TANDEM_PG_URL` names a server (as `.ci/run` exports it); every iteration writes a block through each
// store in turn, over a rotating set of 10,000 keys (updates after the first pass). Tables are dropped at teardown.
import Benchmark
import BenchmarkSupport
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Tandem
import TandemPostgres

/// The server's URL, or nil (the PostgreSQL benchmarks are then not registered).
let postgresURL = ProcessInfo.processInfo.environment["TANDEM_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// Plain connections for the baseline and the setup and teardown statements.
struct PostgresBaseline {
    static let table = "bench_single"
    let location: PostgresLocation
    let logger: Logger

    init(url: String) throws {
        location = try PostgresLocation(url: url)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        self.logger = logger
    }

    func connect() async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        return try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
    }

    /// Runs `sql` on a connection of its own.
    func execute(_ sql: String) async throws {
        let connection = try await connect()
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// The single-table write: the same columns as Tandem's tables, one upsert per transaction.
    func put(_ connection: PostgresConnection, key: String, payload: ByteBuffer, seq: Int64) async throws {
        try await connection.query(
            """
            INSERT INTO bench_single (key, payload, seq, written_at) VALUES (\(key), \(payload), \(seq), \(seq)) \
            ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, \
            written_at = excluded.written_at
            """, logger: logger)
    }
}

/// The tables of one benchmark: the baseline's table and the dual writer's pair, in the server's database.
final class PostgresStoreSet: @unchecked Sendable {  // Used by one benchmark at a time.
    let baseline: PostgresBaseline
    let label: String
    var writer: DualWriter?
    var atomic: DualWriter?
    var connections: [PostgresConnection] = []
    var counter = 0

    init(url: String, label: String, writers: Int) async throws {
        self.label = label
        baseline = try PostgresBaseline(url: url)
        try await dropTables()
        try await baseline.execute(
            """
            CREATE TABLE bench_single (key TEXT COLLATE "C" PRIMARY KEY, payload BYTEA NOT NULL, seq BIGINT NOT NULL, \
            written_at BIGINT NOT NULL)
            """)
        for _ in 0..<writers { connections.append(try await baseline.connect()) }
        let base = url.contains("?") ? url + "&" : url + "?"
        let backend = try PostgresRecordBackend(
            primaryURL: base + "table=bench_\(label)_v2", shadowURL: base + "table=bench_\(label)_v1", mode: .outbox)
        writer = try DualWriter(backend: backend, configuration: .init(mode: .outbox))
        let atomicBackend = try PostgresRecordBackend(
            primaryURL: base + "table=bench_\(label)_a_v2", shadowURL: base + "table=bench_\(label)_a_v1", mode: .atomic
        )
        atomic = try DualWriter(backend: atomicBackend, configuration: .init(mode: .atomic))
    }

    /// Drops the tables and forgets their keys' seqs (the key table exists once a backend has opened).
    func dropTables() async throws {
        try await baseline.execute(
            "DROP TABLE IF EXISTS bench_single, bench_\(label)_v2, bench_\(label)_v1, bench_\(label)_a_v2, "
                + "bench_\(label)_a_v1")
        try await baseline.execute(
            """
            DO $$ BEGIN IF to_regclass('tandem_keys') IS NOT NULL THEN \
            DELETE FROM tandem_keys WHERE table_name LIKE 'bench\\_%'; END IF; END $$
            """)
    }

    func close() async {
        writer = nil
        atomic = nil
        for connection in connections { try? await connection.close() }
        connections = []
        try? await dropTables()
    }

    /// The next `count` keys.
    func keys(_ count: Int) -> [String] {
        defer { counter += count }
        return (counter..<counter + count).map { "u\($0 % keySpace)" }
    }
}

func postgresBenchmarks() {
    guard let url = postgresURL else {
        print("Stores on PostgreSQL: not run (set TANDEM_PG_URL to a server's URL, as .ci/run does)")
        return
    }
    for writers in [1, 16] {
        let block = 1_600  // writes per store per iteration (a multiple of 16)
        let outboxRatio = Ratio.speed("pg outbox/single %")
        let atomicRatio = Ratio.speed("pg atomic/single %")
        let singleOps = Ratio.value("pg single writes/s", prefersLarger: true)
        let outboxOps = Ratio.value("pg outbox writes/s", prefersLarger: true)
        // CPU per write on each side (this process; the server's processes), to tell which one a ratio is bound by.
        let singleClientCPU = Ratio.value("pg single client cpu ns/write")
        let singleServerCPU = Ratio.value("pg single server cpu ns/write")
        let outboxClientCPU = Ratio.value("pg outbox client cpu ns/write")
        let outboxServerCPU = Ratio.value("pg outbox server cpu ns/write")
        var set: PostgresStoreSet?
        Benchmark(
            "Stores ratio (PostgreSQL): dual-write vs single-table upsert, \(writers) writer\(writers == 1 ? "" : "s")",
            configuration: .init(
                metrics: [
                    outboxRatio, atomicRatio, singleOps, outboxOps, singleClientCPU, singleServerCPU, outboxClientCPU,
                    outboxServerCPU,
                ], warmupIterations: 1,
                maxDuration: .seconds(30), maxIterations: 20)
        ) { benchmark in
            guard let stores = set, let writer = stores.writer, let atomic = stores.atomic else {
                fatalError("stores not open")
            }
            let keys = stores.keys(block)
            let payload = ByteBuffer(bytes: primaryPayload)
            let connections = stores.connections
            let baseline = stores.baseline
            let share = keys.count / writers
            let seq = Int64(stores.counter)
            let singleCPU = CPUTime.now(server: "postgres")
            let singleNs = try await asyncNanos {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<writers {
                        group.addTask {
                            for key in keys[index * share..<(index + 1) * share] {
                                try await baseline.put(connections[index], key: key, payload: payload, seq: seq)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let outboxCPU = CPUTime.now(server: "postgres")
            let singleCost = outboxCPU.perItem(since: singleCPU, items: block)
            let outboxNs = await asyncNanos { await dualWrite(writer, keys, writers: writers) }
            let outboxCost = CPUTime.now(server: "postgres").perItem(since: outboxCPU, items: block)
            let atomicNs = await asyncNanos { await dualWrite(atomic, keys, writers: writers) }
            benchmark.measurement(outboxRatio, Ratio.percent(singleNs, of: outboxNs))
            benchmark.measurement(atomicRatio, Ratio.percent(singleNs, of: atomicNs))
            benchmark.measurement(singleOps, opsPerSecond(block, singleNs))
            benchmark.measurement(outboxOps, opsPerSecond(block, outboxNs))
            benchmark.measurement(singleClientCPU, singleCost.client)
            benchmark.measurement(singleServerCPU, singleCost.server)
            benchmark.measurement(outboxClientCPU, outboxCost.client)
            benchmark.measurement(outboxServerCPU, outboxCost.server)
        } setup: {
            set = try await PostgresStoreSet(url: url, label: "w\(writers)", writers: writers)
        } teardown: {
            await set?.close()
            set = nil
        }
    }
}
