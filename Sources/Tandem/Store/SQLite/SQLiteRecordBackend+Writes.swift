import CSQLite

extension SQLiteRecordBackend {
    /// Rows run without savepoints first (two extra statements per row); if a row fails, the transaction rolls back
    /// and, when rows must fail alone, the batch runs again with a savepoint per row.
    public func commitPrimary(_ ops: ArraySlice<DualWriteOp>, settling settled: [OutboxRow], isolateRows: Bool)
        -> Result<[Result<WriteReceipt, StoreError>], StoreError>
    {
        primary.withLock { connection in
            let primary = connection
            let outbox = mode == .outbox
            let shadowPath = self.shadowPath
            var currentKey: String?
            func run(savepoints: Bool) -> Result<[Result<WriteReceipt, StoreError>], SQLiteError> {
                Result { () throws(SQLiteError) -> [Result<WriteReceipt, StoreError>] in
                    try primary.immediateTransaction { () throws(SQLiteError) -> [Result<WriteReceipt, StoreError>] in
                        if !settled.isEmpty {
                            do throws(SQLiteError) {
                                for row in settled { try primary.clearOutbox(key: row.key, seq: row.seq) }
                            } catch {
                                // The transaction is gone (I/O error, disk full): fail the batch like any row would.
                                if primary.isAutocommit { throw error }
                                // Only the failed statement was undone; the rows left stay pending and a later
                                // replay finds the shadow already holding them.
                            }
                        }
                        var outcomes: [Result<WriteReceipt, StoreError>] = []
                        outcomes.reserveCapacity(ops.count)
                        for op in ops {
                            currentKey = op.key
                            let row = { () throws(SQLiteError) -> WriteReceipt in
                                let receipt = try primary.stampPrimary(op, outbox: outbox)
                                if !outbox {
                                    do throws(SQLiteError) {
                                        try primary.applyShadow(op, receipt: receipt, in: .shadow)
                                    } catch {
                                        var error = error
                                        error.path = shadowPath
                                        throw error
                                    }
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
            var result = run(savepoints: false)
            if case .failure = result, isolateRows, ops.count > 1 {
                result = run(savepoints: true)
            }
            return result.mapError { StoreError($0, key: currentKey, fallback: .writeFailed) }
        }
    }

    /// If a row fails, the transaction runs again with a savepoint per row, so that one bad row does not fail the
    /// others.
    public func applyShadow(_ writes: [ShadowWrite]) -> [Int: StoreError] {
        let shadowPath = self.shadowPath
        let failed = shadow.withLock { shadow -> [Int: SQLiteError] in
            guard let shadow else { return [:] }
            func run(savepoints: Bool) -> Result<[Int: SQLiteError], SQLiteError> {
                Result { () throws(SQLiteError) -> [Int: SQLiteError] in
                    try shadow.immediateTransaction { () throws(SQLiteError) -> [Int: SQLiteError] in
                        var failed: [Int: SQLiteError] = [:]
                        for (index, write) in writes.enumerated() {
                            if savepoints {
                                let outcome = try shadow.savepoint { () throws(SQLiteError) in
                                    try shadow.applyShadow(write.op, receipt: write.receipt, in: .main)
                                }
                                if case .failure(let error) = outcome { failed[index] = error }
                            } else {
                                try shadow.applyShadow(write.op, receipt: write.receipt, in: .main)
                            }
                        }
                        return failed
                    }
                }
            }
            var result = run(savepoints: false)
            if case .failure = result, writes.count > 1 {
                result = run(savepoints: true)
            }
            switch result {
            case .success(let failed): return failed
            case .failure(let error): return Dictionary(uniqueKeysWithValues: writes.indices.map { ($0, error) })
            }
        }
        return failed.reduce(into: [:]) { result, entry in
            result[entry.key] = StoreError(
                entry.value, key: writes[entry.key].receipt.key, fallback: .writeFailed, path: shadowPath)
        }
    }

    public func clearOutbox(_ rows: [OutboxRow]) {
        guard !rows.isEmpty else { return }
        primary.withLock { primary in
            _ = Result { () throws(SQLiteError) in
                try primary.immediateTransaction { () throws(SQLiteError) in
                    for row in rows { try primary.clearOutbox(key: row.key, seq: row.seq) }
                }
            }
        }
    }

    public func replayOutbox() -> OutboxReplay {
        primary.withLock { primary in
            shadow.withLock { shadow in
                Self.replayOutbox(primary: primary, shadow: shadow, primaryPath: primaryPath, shadowPath: shadowPath)
            }
        }
    }

    /// Replays pending outbox rows into the shadow, page by page, in key order. `shadow` is the shadow file's own
    /// connection (outbox mode); `nil` in atomic mode, where the shadow is attached to `primary`.
    private static func replayOutbox(
        primary: SQLiteConnection, shadow: SQLiteConnection?, primaryPath: String, shadowPath: String
    ) -> OutboxReplay {
        let target = shadow ?? primary
        let schema: RecordSchema = shadow == nil ? .shadow : .main
        var after: String?
        var outcome = OutboxReplay()
        while true {
            let page: [ShadowWrite]
            switch Result(catching: { () throws(SQLiteError) in try primary.pendingOutbox(after: after, limit: 256) }) {
            case .success(let rows): page = rows
            case .failure(let error):
                outcome.firstFailure =
                    outcome.firstFailure ?? StoreError(error, fallback: .readFailed, path: primaryPath)
                return outcome
            }
            guard let last = page.last else { break }
            after = last.receipt.key
            // A row whose shadow side is already there (its outbox row was not removed yet when the process
            // stopped), or was overtaken by a newer write, is removed without rewriting the shadow and is not counted
            // as repaired.
            var settled = 0
            let applied = Result { () throws(SQLiteError) -> [WriteReceipt] in
                try target.immediateTransaction { () throws(SQLiteError) -> [WriteReceipt] in
                    var applied: [WriteReceipt] = []
                    settled = 0
                    for write in page {
                        let result = try target.savepoint { () throws(SQLiteError) -> Bool in
                            if try target.shadowIsCurrent(write, in: schema) { return false }
                            try target.applyShadow(write.op, receipt: write.receipt, in: schema)
                            return true
                        }
                        switch result {
                        case .success(let wrote):
                            applied.append(write.receipt)
                            if !wrote { settled += 1 }
                        case .failure(let error):
                            if outcome.firstFailure == nil {
                                outcome.firstFailure = StoreError(
                                    error, key: write.receipt.key, fallback: .writeFailed, path: shadowPath)
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
                case .success: outcome.replayed += receipts.count - settled
                case .failure(let error):
                    outcome.firstFailure =
                        outcome.firstFailure ?? StoreError(error, fallback: .writeFailed, path: primaryPath)
                    return outcome
                }
            case .failure(let error):
                outcome.firstFailure =
                    outcome.firstFailure ?? StoreError(error, fallback: .writeFailed, path: shadowPath)
                return outcome
            }
        }
        return outcome
    }

    public func conditionalWrite(_ writes: [ConditionalWrite]) throws(StoreError) -> [ConditionalWriteOutcome] {
        for write in writes {
            try RecordKey.validate(write.record.key, path: write.side == .primary ? primaryPath : shadowPath)
        }
        return try ConditionalWrite.bySide(writes) { (batch, side) throws(StoreError) in
            try conditionalWrite(batch, to: side)
        }
    }

    /// Conditional writes to one store, in one IMMEDIATE transaction. The partner rows are read inside it, all in one
    /// read transaction of the other store, so the rows seen are the latest committed ones, and a dual write committed
    /// after that read lands on this store after this transaction.
    private func conditionalWrite(_ writes: [ConditionalWrite], to side: DualWriter.Side) throws(StoreError)
        -> [ConditionalWriteOutcome]
    {
        let partnerKeys = writes.filter { $0.partnerSeq != nil }.map(\.record.key)
        let apply = {
            (
                connection: SQLiteConnection, schema: RecordSchema, tombstones: Bool,
                partners: ([String]) throws(SQLiteError) -> Partners
            ) throws(SQLiteError)
                -> [ConditionalWriteOutcome] in
            try connection.immediateTransaction { () throws(SQLiteError) -> [ConditionalWriteOutcome] in
                let partner = partnerKeys.isEmpty ? Partners() : try partners(partnerKeys)
                var outcomes: [ConditionalWriteOutcome] = []
                outcomes.reserveCapacity(writes.count)
                for write in writes {
                    let key = write.record.key
                    let current = try connection.record(key: key, in: schema)
                    switch write.condition {
                    case .absent:
                        if current != nil {
                            outcomes.append(.conflict(current: current))
                            continue
                        }
                        if tombstones, try connection.hasTombstone(key: key) {
                            outcomes.append(.tombstoned)
                            continue
                        }
                    case .seq(let seq):
                        guard let current, current.seq == seq else {
                            outcomes.append(.conflict(current: current))
                            continue
                        }
                    }
                    if let expected = write.partnerSeq {
                        let other = partner.rows[key]
                        guard other?.seq == expected, !partner.pending.contains(key) else {
                            outcomes.append(.partnerChanged(current: other))
                            continue
                        }
                    }
                    try connection.upsertRecord(write.record, in: schema)
                    outcomes.append(.written)
                }
                return outcomes
            }
        }
        /// The rows of `keys` in `schema` of `connection`, and (`pending`) which keys have an outbox row waiting: their
        /// shadow write has not landed, so a conditional shadow write would hide it (a legacy payload, say). Read in
        /// one read transaction (or inside the caller's).
        func rows(_ keys: [String], on connection: SQLiteConnection, in schema: RecordSchema, own: Bool, pending: Bool)
            throws(SQLiteError) -> Partners
        {
            let read = { () throws(SQLiteError) -> Partners in
                var found = Partners()
                for key in keys {
                    found.rows[key] = try connection.record(key: key, in: schema)
                    if pending, try connection.hasPendingOutbox(key: key) { found.pending.insert(key) }
                }
                return found
            }
            return own ? try connection.readTransaction(read) : try read()
        }
        let path = side == .primary ? primaryPath : shadowPath
        let key = writes.count == 1 ? writes.first?.record.key : nil
        // Locks in the backend's order: the primary connection, then the shadow's.
        return try primary.withLock { (primary) throws(StoreError) -> [ConditionalWriteOutcome] in
            switch (side, mode) {
            case (_, .atomic):
                let (schema, other): (RecordSchema, RecordSchema) =
                    side == .primary ? (.main, .shadow) : (.shadow, .main)
                return try StoreError.mapping(key: key, fallback: .writeFailed, path: path) { () throws(SQLiteError) in
                    try apply(primary, schema, side == .primary) { keys throws(SQLiteError) in
                        try rows(keys, on: primary, in: other, own: false, pending: false)
                    }
                }
            case (.primary, .outbox):
                return try StoreError.mapping(key: key, fallback: .writeFailed, path: path) { () throws(SQLiteError) in
                    try apply(primary, .main, true) { keys throws(SQLiteError) in
                        try self.shadow.withLock { (shadow) throws(SQLiteError) -> Partners in
                            guard let shadow else { return Partners() }
                            return try rows(keys, on: shadow, in: .main, own: true, pending: false)
                        }
                    }
                }
            case (.shadow, .outbox):
                return try withShadowConnection(key: key, fallback: .writeFailed) { shadow throws(SQLiteError) in
                    try apply(shadow, .main, false) { keys throws(SQLiteError) in
                        try rows(keys, on: primary, in: .main, own: true, pending: true)
                    }
                }
            }
        }
    }
}

/// The partner rows of a batch of conditional writes, and the keys whose shadow write is still pending in the outbox.
private struct Partners {
    var rows: [String: StoredRecord] = [:]
    var pending: Set<String> = []
}
