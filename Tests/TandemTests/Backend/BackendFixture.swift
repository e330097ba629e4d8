import Foundation
import Tandem
import TandemTesting
import Testing

/// The backends the contract suites run against: SQLite in both modes, and the in-memory reference.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteOutbox, sqliteAtomic, memoryOutbox, memoryAtomic

    var mode: DualWriteMode { self == .sqliteAtomic || self == .memoryAtomic ? .atomic : .outbox }
    var testDescription: String { rawValue }

    static let outboxKinds: [BackendKind] = [.sqliteOutbox, .memoryOutbox]
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
