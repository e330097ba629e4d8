import Foundation
import Tandem
import TandemPostgres
import TandemTesting
import Testing

/// The backends the contract suites run against: SQLite and PostgreSQL in both modes, and the in-memory reference.
/// PostgreSQL runs when `TANDEM_PG_URL` names a server (`.ci/run` starts one; see ``PostgresTestServer``).
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteOutbox, sqliteAtomic, memoryOutbox, memoryAtomic, postgresOutbox, postgresAtomic

    var mode: DualWriteMode {
        switch self {
        case .sqliteAtomic, .memoryAtomic, .postgresAtomic: .atomic
        case .sqliteOutbox, .memoryOutbox, .postgresOutbox: .outbox
        }
    }
    var testDescription: String { rawValue }

    static var allCases: [BackendKind] {
        [.sqliteOutbox, .sqliteAtomic, .memoryOutbox, .memoryAtomic]
            + (PostgresTestServer.url == nil ? [] : [.postgresOutbox, .postgresAtomic])
    }

    static var outboxKinds: [BackendKind] { allCases.filter { $0.mode == .outbox } }
}

/// A fresh backend of one kind (its files live as long as the fixture).
struct BackendFixture {
    let backend: any RecordBackend
    let directory: TemporaryDirectory?

    init(_ kind: BackendKind) throws {
        switch kind {
        case .sqliteOutbox, .sqliteAtomic:
            let directory = try TemporaryDirectory()
            backend = try SQLiteRecordBackend(
                primaryPath: directory.file("primary.sqlite"), shadowPath: directory.file("shadow.sqlite"),
                mode: kind.mode)
            self.directory = directory
        case .memoryOutbox, .memoryAtomic:
            backend = InMemoryRecordBackend(mode: kind.mode)
            directory = nil
        case .postgresOutbox, .postgresAtomic:
            let (primary, shadow) = try PostgresTestServer.freshTables()
            backend = try PostgresRecordBackend(primary: primary, shadow: shadow, mode: kind.mode)
            directory = nil
        }
    }

    /// Commits `ops` and, in outbox mode, writes their shadow side and clears their outbox rows, as the writer does.
    @discardableResult
    func dualWrite(_ ops: [DualWriteOp]) throws -> [WriteReceipt] {
        let receipts = try backend.commitPrimary(ops[...], settling: [], isolateRows: false).get().map { try $0.get() }
        if backend.mode == .outbox {
            let writes = zip(ops, receipts).map { ShadowWrite(op: $0, receipt: $1) }
            #expect(backend.applyShadow(writes).isEmpty)
            backend.clearOutbox(receipts.map { OutboxRow(key: $0.key, seq: $0.seq) })
        }
        return receipts
    }
}

func put(_ key: String, _ primary: [UInt8], _ shadow: [UInt8]) -> DualWriteOp {
    .put(key: key, primary: primary, shadow: shadow)
}
