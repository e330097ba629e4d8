import Synchronization
import Tandem

/// A ``RecordBackend`` in memory: the reference the backend contract tests hold SQLite (and later PostgreSQL) to, and
/// a store for tests that need no files. Each operation is one step under one lock, so it is trivially atomic.
///
/// Shadow writes can be made to fail for chosen keys (``failShadowWrites(for:)``), to exercise the outbox's repair
/// paths without a faulty disk.
public final class InMemoryRecordBackend: RecordBackend, RecordReader {
    public let primaryName: String
    public let shadowName: String
    public let mode: DualWriteMode
    /// How many group commits a writer runs at once over this backend (each is one step under its lock anyway).
    public let concurrentCommits: Int

    private struct State {
        var primary: [String: StoredRecord] = [:]
        var shadow: [String: StoredRecord] = [:]
        var outbox: [String: ShadowWrite] = [:]
        var tombstones: [String: Int64] = [:]
        var failingShadowKeys: Set<String> = []
        var failPagesAfter: String?
        var clock: Int64 = 1_700_000_000_000
    }

    private let state = Mutex(State())

    /// Creates empty stores named `primaryName` and `shadowName` in errors, taking `concurrentCommits` group commits
    /// at once.
    public init(
        mode: DualWriteMode = .outbox, primaryName: String = "memory:primary", shadowName: String = "memory:shadow",
        concurrentCommits: Int = 1
    ) {
        self.mode = mode
        self.concurrentCommits = concurrentCommits
        self.primaryName = primaryName
        self.shadowName = shadowName
    }

    /// Makes shadow writes of `keys` fail (as a full disk would) until called again with other keys.
    public func failShadowWrites(for keys: Set<String>) {
        state.withLock { $0.failingShadowKeys = keys }
    }

    /// Makes every page read after `key` (``pairs(after:limit:)`` with `after >= key`) fail, as a lost disk would;
    /// `nil` lets them succeed again.
    public func failPages(after key: String?) {
        state.withLock { $0.failPagesAfter = key }
    }

    /// Replaces a row of one store directly, as a person editing the table by hand would (no seq bookkeeping).
    public func overwrite(_ record: StoredRecord, in side: DualWriter.Side) {
        state.withLock { state in
            if side == .primary { state.primary[record.key] = record } else { state.shadow[record.key] = record }
        }
    }

    // MARK: - Writing

    public func commitPrimary(_ ops: ArraySlice<DualWriteOp>, settling: [OutboxRow], isolateRows: Bool)
        -> Result<[Result<WriteReceipt, StoreError>], StoreError>
    {
        state.withLock { state in
            for row in settling where state.outbox[row.key]?.receipt.seq == row.seq { state.outbox[row.key] = nil }
            if mode == .atomic && !isolateRows,
                let failing = ops.first(where: { state.failingShadowKeys.contains($0.key) })
            {
                return .failure(shadowFailure(failing.key))
            }
            var outcomes: [Result<WriteReceipt, StoreError>] = []
            for op in ops {
                let key = op.key
                if mode == .atomic && state.failingShadowKeys.contains(key) {
                    outcomes.append(.failure(shadowFailure(key)))
                    continue
                }
                let seq =
                    max(state.primary[key]?.seq ?? 0, state.outbox[key]?.receipt.seq ?? 0, state.tombstones[key] ?? 0)
                    + 1
                state.clock += 1
                let receipt = WriteReceipt(key: key, seq: seq, writtenAt: state.clock, deleted: op.isDelete)
                switch op {
                case .put(_, let primary, _):
                    state.primary[key] = StoredRecord(key: key, payload: primary, seq: seq, writtenAt: state.clock)
                    state.tombstones[key] = nil
                case .delete:
                    state.primary[key] = nil
                    state.tombstones[key] = seq
                }
                let write = ShadowWrite(op: op, receipt: receipt)
                if mode == .outbox {
                    state.outbox[key] = write
                } else {
                    state.shadow[key] = write.record
                }
                outcomes.append(.success(receipt))
            }
            return .success(outcomes)
        }
    }

    public func applyShadow(_ writes: [ShadowWrite]) -> [Int: StoreError] {
        state.withLock { state in
            var failed: [Int: StoreError] = [:]
            for (index, write) in writes.enumerated() {
                if state.failingShadowKeys.contains(write.op.key) {
                    failed[index] = shadowFailure(write.op.key)
                } else {
                    state.shadow[write.op.key] = write.record
                }
            }
            return failed
        }
    }

    public func clearOutbox(_ rows: [OutboxRow]) {
        state.withLock { state in
            for row in rows where state.outbox[row.key]?.receipt.seq == row.seq { state.outbox[row.key] = nil }
        }
    }

    public func replayOutbox() -> OutboxReplay {
        state.withLock { state in
            var outcome = OutboxReplay()
            for key in state.outbox.keys.sorted(by: Self.precedes) {
                guard let write = state.outbox[key] else { continue }
                // The shadow already holds this write or a newer one: only the outbox row goes.
                let currentSeq = state.shadow[key]?.seq
                let isCurrent: Bool
                switch write.op {
                case .put: isCurrent = (currentSeq ?? 0) >= write.receipt.seq
                case .delete: isCurrent = currentSeq.map { $0 > write.receipt.seq } ?? true
                }
                if isCurrent {
                    state.outbox[key] = nil
                    continue
                }
                if state.failingShadowKeys.contains(key) {
                    outcome.firstFailure = outcome.firstFailure ?? shadowFailure(key)
                    continue
                }
                state.shadow[key] = write.record
                state.outbox[key] = nil
                outcome.replayed += 1
            }
            return outcome
        }
    }

    public func conditionalWrite(_ writes: [ConditionalWrite]) throws(StoreError) -> [ConditionalWriteOutcome] {
        for write in writes {
            try RecordKey.validate(write.record.key, path: write.side == .primary ? primaryName : shadowName)
        }
        return state.withLock { state in
            writes.map { write in
                let key = write.record.key
                let current = write.side == .primary ? state.primary[key] : state.shadow[key]
                switch write.condition {
                case .absent:
                    if current != nil { return .conflict(current: current) }
                    if write.side == .primary && state.tombstones[key] != nil { return .tombstoned }
                case .seq(let seq):
                    guard let current, current.seq == seq else { return .conflict(current: current) }
                }
                if let expected = write.partnerSeq {
                    let other = write.side == .primary ? state.shadow[key] : state.primary[key]
                    // A shadow write waiting in the outbox must land first: writing over its absence would hide it.
                    let pending = write.side == .shadow && state.outbox[key] != nil
                    guard other?.seq == expected, !pending else { return .partnerChanged(current: other) }
                }
                if write.side == .primary {
                    state.primary[key] = write.record
                } else {
                    state.shadow[key] = write.record
                }
                return .written
            }
        }
    }

    // MARK: - Reading

    public func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: primaryName)
        return state.withLock { side == .primary ? $0.primary[key] : $0.shadow[key] }
    }

    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: primaryName)
        return state.withLock { RecordPair(key: key, primary: $0.primary[key], shadow: $0.shadow[key]) }
    }

    public func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryName, message: "page limit \(limit) must be positive")
        }
        return try state.withLock { (state) throws(StoreError) -> [RecordPair] in
            if let after, let failing = state.failPagesAfter, !Self.precedes(after, failing) {
                throw StoreError(code: .readFailed, path: primaryName, message: "page after \(after) is unreadable")
            }
            func page(_ rows: [String: StoredRecord]) -> [StoredRecord] {
                let keys = rows.keys.filter { key in after.map { Self.precedes($0, key) } ?? true }
                return keys.sorted(by: Self.precedes).prefix(limit).compactMap { rows[$0] }
            }
            return RecordPair.merge(primary: page(state.primary), shadow: page(state.shadow), limit: limit)
        }
    }

    public func counts() throws(StoreError) -> (primary: Int, shadow: Int) {
        state.withLock { ($0.primary.count, $0.shadow.count) }
    }

    public func pendingOutbox(after: String?, limit: Int) throws(StoreError) -> [ShadowWrite] {
        state.withLock { state in
            let keys = state.outbox.keys.filter { key in after.map { Self.precedes($0, key) } ?? true }
            return keys.sorted(by: Self.precedes).prefix(limit).compactMap { state.outbox[$0] }
        }
    }

    public func pendingOutboxCount() throws(StoreError) -> Int { state.withLock { $0.outbox.count } }

    public func checkLayout() throws(StoreError) {}

    public func makeReader() throws(StoreError) -> any RecordReader { self }

    // MARK: - Helpers

    private static func precedes(_ lhs: String, _ rhs: String) -> Bool { RecordKey.precedes(lhs, rhs) }

    private func shadowFailure(_ key: String) -> StoreError {
        StoreError(code: .full, path: shadowName, key: key, message: "injected shadow write failure")
    }
}

extension DualWriteOp {
    fileprivate var isDelete: Bool {
        if case .delete = self { return true }
        return false
    }
}
