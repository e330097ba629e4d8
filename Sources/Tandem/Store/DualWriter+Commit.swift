import CSQLite
import Dispatch

extension SQLiteConnection {
    /// ATTACHes the shadow file as schema `shadow` and checks it is a writable database.
    func attachShadow(path shadowPath: String) throws(SQLiteError) {
        // ATTACH takes the file name as an expression, so the path is bound like any other value.
        try run("ATTACH DATABASE ? AS shadow", [.text(shadowPath)])
        _ = try queryOne("SELECT count(*) FROM shadow.sqlite_schema") { $0.int64(0) }
        if sqlite3_db_readonly(handle, "shadow") == 1 {
            throw SQLiteError(
                code: SQLITE_READONLY, extendedCode: SQLITE_READONLY,
                message: "the file is write-protected; attached read-only", sql: nil, path: shadowPath)
        }
    }
}

extension DualWriter {
    typealias Outcome = Result<WriteReceipt, StoreError>

    /// Commits `ops` as one group. With `isolateRows`, each row fails alone; without it, any failing row
    /// fails the whole group (nothing written). The outer failure means the group's primary transaction did
    /// not commit at all.
    ///
    /// Outbox mode costs one primary transaction per group (the primary rows with their outbox rows) plus the
    /// shadow rows' transaction: written here when `deferShadow` is false, else queued for the relay
    /// (``ShadowWriteTiming/deferred``), which writes every row queued meanwhile in one transaction. Removing the
    /// outbox rows of shadow rows now written is deferred (`ShadowRelay.settled`) into the next group's primary
    /// transaction, or a standalone one when the writer goes idle, closes, or is asked about pending rows: until
    /// then they are ordinary pending rows whose replay is a no-op (the shadow already holds the same seq, time and
    /// bytes), so a crash in between loses nothing.
    ///
    /// Rows run without savepoints first (two extra statements per row); if a row fails, the transaction
    /// rolls back and, when rows must fail alone, the group runs again with a savepoint per row.
    func commit(
        _ ops: ArraySlice<DualWriteOp>, on connections: inout Connections, isolateRows: Bool, deferShadow: Bool
    ) -> Result<[Outcome], StoreError> {
        let primary = connections.primary
        let outbox = configuration.mode == .outbox
        let shadowPath = self.shadowPath
        let settled = outbox ? relay.withLock { $0.settled } : []
        var currentKey: String?
        func phase1(savepoints: Bool) -> Result<[Outcome], SQLiteError> {
            Result { () throws(SQLiteError) -> [Outcome] in
                try primary.immediateTransaction { () throws(SQLiteError) -> [Outcome] in
                    if !settled.isEmpty {
                        do throws(SQLiteError) {
                            for row in settled { try primary.clearOutbox(key: row.key, seq: row.seq) }
                        } catch {
                            // The transaction is gone (I/O error, disk full): fail the group like any row would.
                            if primary.isAutocommit { throw error }
                            // Only the failed statement was undone; the rows left stay pending and a later
                            // replay finds the shadow already holding them.
                        }
                    }
                    var outcomes: [Outcome] = []
                    outcomes.reserveCapacity(ops.count)
                    for op in ops {
                        currentKey = op.key
                        let row = { () throws(SQLiteError) -> WriteReceipt in
                            let receipt = try primary.stampPrimary(op, outbox: outbox)
                            if !outbox {
                                try Result { () throws(SQLiteError) in
                                    try primary.applyShadow(op, receipt: receipt, in: .shadow)
                                }.mapError { error in
                                    var error = error
                                    error.path = shadowPath
                                    return error
                                }.get()
                            }
                            return receipt
                        }
                        if savepoints {
                            outcomes.append(
                                try primary.savepoint(row).mapError {
                                    StoreError($0, key: op.key, fallback: .writeFailed)
                                })
                        } else {
                            outcomes.append(.success(try row()))
                        }
                    }
                    return outcomes
                }
            }
        }
        var phase1Result = phase1(savepoints: false)
        if case .failure = phase1Result, isolateRows, ops.count > 1 {
            phase1Result = phase1(savepoints: true)
        }
        guard case .success(var outcomes) = phase1Result else {
            return phase1Result.mapError { StoreError($0, key: currentKey, fallback: .writeFailed) }
        }
        guard outbox else { return .success(outcomes) }
        // Committed: the settled rows are gone from the outbox (or, after a failed delete, left pending). Only
        // holders of `connections` remove rows from `settled`; the relay appends, so these are still its first rows.
        if !settled.isEmpty { relay.withLock { $0.settled.removeFirst(settled.count) } }

        // Outbox mode, step 2: the primary rows and their outbox rows are durable; write the shadow rows.
        var written: [ShadowRelay.Entry] = []
        var positions: [Int] = []
        written.reserveCapacity(outcomes.count)
        for (index, outcome) in outcomes.enumerated() {
            if case .success(let receipt) = outcome {
                written.append(ShadowRelay.Entry(op: ops[ops.startIndex + index], receipt: receipt))
                positions.append(index)
            }
        }
        if written.isEmpty { return .success(outcomes) }
        if deferShadow {
            enqueueShadow(written)
            return .success(outcomes)
        }
        // Inline: the relay first writes what it holds (older writes of these keys may be among it).
        waitForRelay()
        let failed = shadowConnection.withLock { shadow -> [Int: SQLiteError] in
            guard let shadow else { return [:] }
            return Self.writeShadow(written, on: shadow)
        }
        for (entry, error) in failed {
            let index = positions[entry]
            if case .success(let receipt) = outcomes[index] {
                outcomes[index] = .failure(shadowPending(error, receipt: receipt))
            }
        }

        // Step 3, deferred: the outbox rows of shadow rows now written are removed by the next primary
        // transaction (see above). Rows whose shadow write failed stay pending for repair().
        let scheduleSettle = relay.withLock { $0.finish(written, failed: failed, relayed: false) }
        if scheduleSettle { self.scheduleSettle() }
        return .success(outcomes)
    }

    /// Writes the shadow side of committed primary writes in one transaction on the shadow connection; returns the
    /// entries that failed, by position. If a row fails, the transaction runs again with a savepoint per row, so
    /// that one bad row does not fail the others.
    static func writeShadow(_ entries: [ShadowRelay.Entry], on shadow: SQLiteConnection) -> [Int: SQLiteError] {
        func run(savepoints: Bool) -> Result<[Int: SQLiteError], SQLiteError> {
            Result { () throws(SQLiteError) -> [Int: SQLiteError] in
                try shadow.immediateTransaction { () throws(SQLiteError) -> [Int: SQLiteError] in
                    var failed: [Int: SQLiteError] = [:]
                    for (index, entry) in entries.enumerated() {
                        if savepoints {
                            let outcome = try shadow.savepoint { () throws(SQLiteError) in
                                try shadow.applyShadow(entry.op, receipt: entry.receipt, in: .main)
                            }
                            if case .failure(let error) = outcome { failed[index] = error }
                        } else {
                            try shadow.applyShadow(entry.op, receipt: entry.receipt, in: .main)
                        }
                    }
                    return failed
                }
            }
        }
        var result = run(savepoints: false)
        if case .failure = result, entries.count > 1 {
            result = run(savepoints: true)
        }
        switch result {
        case .success(let failed): return failed
        case .failure(let error): return Dictionary(uniqueKeysWithValues: entries.indices.map { ($0, error) })
        }
    }

    /// How long settled outbox rows may wait for the next group before a transaction of their own removes
    /// them (so an idle writer leaves an empty outbox). At most one such transaction per interval.
    static let settleDelay: DispatchTimeInterval = .milliseconds(50)

    func scheduleSettle() {
        committer.asyncAfter(deadline: .now() + Self.settleDelay) { [weak self] in
            guard let self else { return }
            self.connections.withLock { connections in
                self.relay.withLock { $0.settleScheduled = false }
                self.clearSettled(&connections)
            }
        }
    }

    /// Removes the outbox rows of shadow writes that committed, in a transaction of their own. If that
    /// fails, the rows stay pending: a replay rewrites what the shadow already holds, which changes nothing.
    func clearSettled(_ connections: inout Connections) {
        let settled = relay.withLock { relay -> [(key: String, seq: Int64)] in
            defer { relay.settled.removeAll() }
            return relay.settled
        }
        guard !settled.isEmpty else { return }
        let primary = connections.primary
        _ = Result { () throws(SQLiteError) in
            try primary.immediateTransaction { () throws(SQLiteError) in
                for row in settled { try primary.clearOutbox(key: row.key, seq: row.seq) }
            }
        }
    }

    /// Commits `ops` as one group with per-row outcomes. If the group's transaction fails as a whole
    /// (an error that rolls back the entire transaction), each operation is retried alone, so one bad row
    /// cannot fail the other callers.
    func commitIsolated(_ ops: ArraySlice<DualWriteOp>, on connections: inout Connections, deferShadow: Bool)
        -> [Outcome]
    {
        switch commit(ops, on: &connections, isolateRows: true, deferShadow: deferShadow) {
        case .success(let outcomes):
            return outcomes
        case .failure(let error) where ops.count == 1:
            return [.failure(error)]
        case .failure:
            return ops.map { op in
                switch commit([op][...], on: &connections, isolateRows: true, deferShadow: deferShadow) {
                case .success(let outcomes):
                    return outcomes.first
                        ?? .failure(
                            StoreError(
                                code: .writeFailed, path: primaryPath, key: op.key, message: "no outcome"))
                case .failure(let error): return .failure(error)
                }
            }
        }
    }

    func shadowPending(_ error: SQLiteError, receipt: WriteReceipt) -> StoreError {
        var failure = StoreError(error, key: receipt.key, fallback: .shadowPending, path: shadowPath)
        failure.code = .shadowPending
        failure.message =
            "the primary row is committed (seq \(receipt.seq)) but the shadow write failed: "
            + "\(error.message); its outbox row will be replayed on the next open or repair()"
        return failure
    }

    /// Replays pending outbox rows into the shadow, page by page, in key order.
    ///
    /// `shadow` is the shadow file's own connection (outbox mode); `nil` in atomic mode, where the shadow is
    /// attached to `primary`.
    static func replayOutbox(
        primary: SQLiteConnection, shadow: SQLiteConnection?, primaryPath: String, shadowPath: String
    ) -> (replayed: Int, firstFailure: StoreError?) {
        let target = shadow ?? primary
        let schema: RecordSchema = shadow == nil ? .shadow : .main
        var after: String?
        var replayed = 0
        var firstFailure: StoreError?
        while true {
            let page: [(op: DualWriteOp, receipt: WriteReceipt)]
            switch Result(catching: { () throws(SQLiteError) in try primary.pendingOutbox(after: after, limit: 256) }) {
            case .success(let rows): page = rows
            case .failure(let error):
                return (replayed, firstFailure ?? StoreError(error, fallback: .readFailed, path: primaryPath))
            }
            guard let last = page.last else { break }
            after = last.receipt.key
            // A row whose shadow side is already there (its outbox row was not removed yet when the process
            // stopped) is removed without rewriting the shadow and is not counted as repaired.
            var settled = 0
            let applied = Result { () throws(SQLiteError) -> [WriteReceipt] in
                try target.immediateTransaction { () throws(SQLiteError) -> [WriteReceipt] in
                    var applied: [WriteReceipt] = []
                    settled = 0
                    for (op, receipt) in page {
                        let outcome = try target.savepoint { () throws(SQLiteError) -> Bool in
                            if try target.shadowHolds(op, receipt: receipt, in: schema) { return false }
                            try target.applyShadow(op, receipt: receipt, in: schema)
                            return true
                        }
                        switch outcome {
                        case .success(let wrote):
                            applied.append(receipt)
                            if !wrote { settled += 1 }
                        case .failure(let error):
                            if firstFailure == nil {
                                firstFailure = StoreError(
                                    error, key: receipt.key, fallback: .writeFailed, path: shadowPath)
                            }
                        }
                    }
                    return applied
                }
            }
            switch applied {
            case .success(let receipts):
                let cleared = Result { () throws(SQLiteError) in
                    try primary.immediateTransaction { () throws(SQLiteError) in
                        for receipt in receipts { try primary.clearOutbox(key: receipt.key, seq: receipt.seq) }
                    }
                }
                switch cleared {
                case .success: replayed += receipts.count - settled
                case .failure(let error):
                    return (replayed, firstFailure ?? StoreError(error, fallback: .writeFailed, path: primaryPath))
                }
            case .failure(let error):
                return (replayed, firstFailure ?? StoreError(error, fallback: .writeFailed, path: shadowPath))
            }
        }
        return (replayed, firstFailure)
    }
}
