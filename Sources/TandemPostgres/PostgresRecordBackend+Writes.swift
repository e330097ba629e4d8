import Foundation
import PostgresNIO
import Tandem

extension PostgresRecordBackend {
    /// A group of distinct keys is one statement (seqs, primary rows, tombstones, outbox or shadow rows, settled
    /// outbox rows removed); a group that repeats a key is a statement per write in one transaction. If a row fails,
    /// the group runs again, when rows must fail alone, with a savepoint per row.
    public func commitPrimary(_ ops: ArraySlice<DualWriteOp>, settling settled: [OutboxRow], isolateRows: Bool)
        -> Result<[Result<WriteReceipt, StoreError>], StoreError>
    {
        let tables = self.tables
        let outbox = mode == .outbox
        let location = primaryLocation
        let settled = unsettled(settled)
        // One write and nothing to settle: its one statement is a transaction of its own (one round trip).
        if ops.count == 1, settled.isEmpty, let op = ops.first {
            return Result { () throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                try Self.validate(op.key, location: location)
                return [
                    .success(
                        try withCommitter { (session) throws(StoreError) -> WriteReceipt in
                            try session.run { (client) throws(StoreError) -> WriteReceipt in
                                try Self.stamp(op, tables: tables, outbox: outbox, client: client)
                            }
                        })
                ]
            }
        }
        // A group of distinct, valid keys: one statement (a round trip and a commit for the whole group).
        var distinct = Set<String>()
        let batchable = ops.allSatisfy { op in
            (try? Self.validate(op.key, location: location)) != nil && distinct.insert(op.key).inserted
        }
        if batchable {
            let batched = Result { () throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                try withCommitter { (session) throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                    try session.run { (client) throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                        try Self.stampBatch(ops, settling: settled, tables: tables, outbox: outbox, client: client)
                    }
                }
            }
            guard case .failure(let error) = batched, !error.connectionLost, isolateRows, ops.count > 1 else {
                return batched
            }
            // A row failed the group: the rows run again one by one, each in a savepoint, so it fails alone.
            rowByRowRetries.add(1, ordering: .relaxed)
        }
        func run(savepoints: Bool) -> Result<[Result<WriteReceipt, StoreError>], StoreError> {
            Result { () throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                try withCommitter { (session) throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                    try session.transaction { (client) throws(StoreError) -> [Result<WriteReceipt, StoreError>] in
                        if !settled.isEmpty { try client.query(tables.clearOutbox(settled), fallback: .writeFailed) }
                        var outcomes: [Result<WriteReceipt, StoreError>] = []
                        outcomes.reserveCapacity(ops.count)
                        for op in ops {
                            let row = { () throws(StoreError) -> WriteReceipt in
                                try Self.validate(op.key, location: location)
                                return try Self.stamp(op, tables: tables, outbox: outbox, client: client)
                            }
                            outcomes.append(savepoints ? try client.savepoint(row) : .success(try row()))
                        }
                        return outcomes
                    }
                }
            }
        }
        if batchable { return run(savepoints: true) }
        var result = run(savepoints: false)
        if case .failure(let error) = result, !error.connectionLost, isolateRows, ops.count > 1 {
            result = run(savepoints: true)
        }
        return result
    }

    /// Writes the primary side of a group of distinct keys in one statement and returns their receipts in order.
    private static func stampBatch(
        _ ops: ArraySlice<DualWriteOp>, settling settled: [OutboxRow], tables: PostgresTables, outbox: Bool,
        client: PostgresSession.Client
    ) throws(StoreError) -> [Result<WriteReceipt, StoreError>] {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let rows = try client.execute(
            tables.batch(ops, settling: settled, writtenAt: now, outbox: outbox), fallback: .writeFailed)
        var seqs: [String: Int64] = [:]
        seqs.reserveCapacity(ops.count)
        for row in rows {
            guard let key = row.cell(0)?.binaryText else {
                throw StoreError(
                    code: .readFailed, path: client.location.description, message: "unexpected row: no key in column 0")
            }
            seqs[key] = try PostgresTables.int8(row, column: 1, location: client.location)
        }
        return try ops.map { op throws(StoreError) -> Result<WriteReceipt, StoreError> in
            guard let seq = seqs[op.key] else {
                throw StoreError(
                    code: .writeFailed, path: client.location.description, key: op.key, message: "no seq was assigned")
            }
            if case .delete = op { return .success(WriteReceipt(key: op.key, seq: seq, writtenAt: now, deleted: true)) }
            return .success(WriteReceipt(key: op.key, seq: seq, writtenAt: now, deleted: false))
        }
    }

    /// Writes the primary side of one operation and returns its receipt.
    private static func stamp(
        _ op: DualWriteOp, tables: PostgresTables, outbox: Bool, client: PostgresSession.Client
    ) throws(StoreError) -> WriteReceipt {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let statement: PreparedStatement
        switch op {
        case .put(let key, let primary, let shadow):
            statement = tables.put(key: key, primary: primary, shadow: shadow, writtenAt: now, outbox: outbox)
        case .delete(let key):
            statement = tables.delete(key: key, writtenAt: now, outbox: outbox)
        }
        let rows = try client.execute(statement, key: op.key, fallback: .writeFailed)
        guard let row = rows.first else {
            throw StoreError(
                code: .writeFailed, path: client.location.description, key: op.key, message: "no seq was assigned")
        }
        let seq = try PostgresTables.int8(row, column: 0, location: client.location)
        if case .delete = op {
            return WriteReceipt(key: op.key, seq: seq, writtenAt: now, deleted: true)
        }
        return WriteReceipt(key: op.key, seq: seq, writtenAt: now, deleted: false)
    }

    /// Each row is written only over an older one; if a row fails, the transaction runs again with a savepoint per
    /// row, so that one bad row does not fail the others.
    public func applyShadow(_ writes: [ShadowWrite]) -> [Int: StoreError] {
        guard !writes.isEmpty else { return [:] }
        let tables = self.tables
        let session = writeSession(.shadow)
        // One statement for the batch; of several writes of one key only the newest matters (a row only ever moves
        // to a larger seq), so the older ones are left out and succeed with it.
        var newest: [String: Int] = [:]
        for (index, write) in writes.enumerated() {
            let key = write.receipt.key
            if let kept = newest[key], writes[kept].receipt.seq >= write.receipt.seq { continue }
            newest[key] = index
        }
        let batch = newest.values.sorted().map { writes[$0] }
        let batched = Result { () throws(StoreError) -> [PostgresRow] in
            try session.run { (client) throws(StoreError) -> [PostgresRow] in
                try client.execute(tables.applyShadowBatch(batch), fallback: .writeFailed)
            }
        }
        if case .success(let rows) = batched {
            if tables.sameDatabase {
                let removed = rows.compactMap { row -> OutboxRow? in
                    guard let key = row.cell(0)?.binaryText, let seq = row.cell(1)?.binaryInt8 else { return nil }
                    return OutboxRow(key: key, seq: seq)
                }
                removedByRelay.withLock { $0.formUnion(removed) }
            }
            return [:]
        }
        /// Every write failed with `error`, each under its own key.
        func allFailed(_ error: StoreError) -> [Int: StoreError] {
            Dictionary(
                uniqueKeysWithValues: writes.indices.map { index in
                    var error = error
                    error.key = writes[index].receipt.key
                    return (index, error)
                })
        }
        if case .failure(let error) = batched, error.connectionLost { return allFailed(error) }
        // A row failed the batch: each runs again in a savepoint of its own, so it fails alone.
        rowByRowRetries.add(1, ordering: .relaxed)
        let rowByRow = Result { () throws(StoreError) -> [Int: StoreError] in
            try session.transaction { (client) throws(StoreError) -> [Int: StoreError] in
                var failed: [Int: StoreError] = [:]
                for (index, write) in writes.enumerated() {
                    let outcome = try client.savepoint { () throws(StoreError) in
                        _ = try Self.applyShadow(write, tables: tables, client: client)
                    }
                    if case .failure(let error) = outcome { failed[index] = error }
                }
                return failed
            }
        }
        switch rowByRow {
        case .success(let failed): return failed
        case .failure(let error): return allFailed(error)
        }
    }

    /// Writes one shadow write unless the shadow holds it or a newer write of its key; true when it changed a row.
    static func applyShadow(_ write: ShadowWrite, tables: PostgresTables, client: PostgresSession.Client)
        throws(StoreError) -> Bool
    {
        let query: PostgresQuery
        if let record = write.record {
            query = tables.applyShadowPut(record)
        } else {
            query = tables.applyShadowDelete(key: write.receipt.key, seq: write.receipt.seq)
        }
        let result = try client.query(query, key: write.receipt.key, fallback: .writeFailed)
        return (result.metadata.rows ?? 0) > 0
    }

    public func clearOutbox(_ rows: [OutboxRow]) {
        let rows = unsettled(rows)
        guard !rows.isEmpty else { return }
        let tables = self.tables
        // A failure leaves the rows pending: a later replay finds the shadow holding them and only removes them.
        _ = try? writer.run { (client) throws(StoreError) in
            try client.query(tables.clearOutbox(rows), fallback: .writeFailed)
        }
    }

    public func replayOutbox() -> OutboxReplay {
        let tables = self.tables
        let shadow = writeSession(.shadow)
        var outcome = OutboxReplay()
        var after: String?
        while true {
            let page: [ShadowWrite]
            do {
                page = try pendingOutbox(after: after, limit: 256)
            } catch {
                outcome.firstFailure = outcome.firstFailure ?? error
                return outcome
            }
            guard let last = page.last else { return outcome }
            after = last.receipt.key
            var written = 0
            let done = Result { () throws(StoreError) -> [OutboxRow] in
                try shadow.transaction { (client) throws(StoreError) -> [OutboxRow] in
                    written = 0
                    var done: [OutboxRow] = []
                    for write in page {
                        let result = try client.savepoint { () throws(StoreError) -> Bool in
                            try Self.applyShadow(write, tables: tables, client: client)
                        }
                        switch result {
                        case .success(let wrote):
                            done.append(OutboxRow(key: write.receipt.key, seq: write.receipt.seq))
                            if wrote { written += 1 }
                        case .failure(let error):
                            outcome.firstFailure = outcome.firstFailure ?? error
                        }
                    }
                    return done
                }
            }
            switch done {
            case .success(let rows):
                do {
                    if !rows.isEmpty {
                        try writer.run { (client) throws(StoreError) in
                            try client.query(tables.clearOutbox(rows), fallback: .writeFailed)
                        }
                    }
                    outcome.replayed += written
                } catch {
                    outcome.firstFailure = outcome.firstFailure ?? error
                    return outcome
                }
            case .failure(let error):
                outcome.firstFailure = outcome.firstFailure ?? error
                return outcome
            }
        }
    }

    /// The settled rows the relay's own statement has not already removed (forgetting those it has).
    private func unsettled(_ rows: [OutboxRow]) -> [OutboxRow] {
        guard !rows.isEmpty, tables.sameDatabase else { return rows }
        return removedByRelay.withLock { removed in rows.filter { removed.remove($0) == nil } }
    }
}
