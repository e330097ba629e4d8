import CSQLite

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

    /// Commits `ops` as one group. With `isolateRows`, each row runs in a savepoint and fails alone;
    /// without it, any failing row fails the whole group (nothing written). The outer failure means the
    /// group's primary transaction did not commit at all.
    func commit(_ ops: ArraySlice<DualWriteOp>, on connections: inout Connections, isolateRows: Bool)
        -> Result<[Outcome], StoreError>
    {
        let primary = connections.primary
        let shadow = connections.shadow
        let shadowPath = self.shadowPath
        var currentKey: String?
        let phase1 = Result { () throws(SQLiteError) -> [Outcome] in
            try primary.immediateTransaction { () throws(SQLiteError) -> [Outcome] in
                var outcomes: [Outcome] = []
                outcomes.reserveCapacity(ops.count)
                for op in ops {
                    currentKey = op.key
                    let row = { () throws(SQLiteError) -> WriteReceipt in
                        let receipt = try primary.stampPrimary(op, outbox: shadow != nil)
                        if shadow == nil {
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
                    if isolateRows {
                        outcomes.append(
                            try primary.savepoint(row).mapError { StoreError($0, key: op.key, fallback: .writeFailed) })
                    } else {
                        outcomes.append(.success(try row()))
                    }
                }
                return outcomes
            }
        }
        guard case .success(var outcomes) = phase1 else {
            return phase1.mapError { StoreError($0, key: currentKey, fallback: .writeFailed) }
        }
        guard let shadow else { return .success(outcomes) }

        // Outbox mode, step 2: the primary rows and their outbox rows are durable; write the shadow rows.
        let written = outcomes.indices.compactMap { index -> (Int, WriteReceipt)? in
            if case .success(let receipt) = outcomes[index] { return (index, receipt) }
            return nil
        }
        if written.isEmpty { return .success(outcomes) }
        let phase2 = Result { () throws(SQLiteError) -> [Int: SQLiteError] in
            try shadow.immediateTransaction { () throws(SQLiteError) -> [Int: SQLiteError] in
                var failed: [Int: SQLiteError] = [:]
                for (index, receipt) in written {
                    let op = ops[ops.startIndex + index]
                    let outcome = try shadow.savepoint { () throws(SQLiteError) in
                        try shadow.applyShadow(op, receipt: receipt, in: .main)
                    }
                    if case .failure(let error) = outcome { failed[index] = error }
                }
                return failed
            }
        }
        let failed: [Int: SQLiteError]
        switch phase2 {
        case .success(let rows): failed = rows
        case .failure(let error): failed = Dictionary(uniqueKeysWithValues: written.map { ($0.0, error) })
        }
        for (index, error) in failed {
            if case .success(let receipt) = outcomes[index] {
                outcomes[index] = .failure(shadowPending(error, receipt: receipt))
            }
        }

        // Step 3: drop the outbox rows of shadow rows now written. If this fails, the rows stay pending and
        // are replayed later; replaying writes the same seq and bytes again, so it is harmless.
        let cleared = written.filter { failed[$0.0] == nil }
        _ = Result { () throws(SQLiteError) in
            try primary.immediateTransaction { () throws(SQLiteError) in
                for (_, receipt) in cleared { try primary.clearOutbox(key: receipt.key, seq: receipt.seq) }
            }
        }
        return .success(outcomes)
    }

    /// Commits `ops` as one group with per-row outcomes. If the group's transaction fails as a whole
    /// (an error that rolls back the entire transaction), each operation is retried alone, so one bad row
    /// cannot fail the other callers.
    func commitIsolated(_ ops: ArraySlice<DualWriteOp>, on connections: inout Connections) -> [Outcome] {
        switch commit(ops, on: &connections, isolateRows: true) {
        case .success(let outcomes):
            return outcomes
        case .failure(let error) where ops.count == 1:
            return [.failure(error)]
        case .failure:
            return ops.map { op in
                switch commit([op][...], on: &connections, isolateRows: true) {
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
    static func replayOutbox(_ connections: inout Connections, primaryPath: String, shadowPath: String)
        -> (replayed: Int, firstFailure: StoreError?)
    {
        let primary = connections.primary
        let target = connections.shadow ?? primary
        let schema: RecordSchema = connections.shadow == nil ? .shadow : .main
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
            let applied = Result { () throws(SQLiteError) -> [WriteReceipt] in
                try target.immediateTransaction { () throws(SQLiteError) -> [WriteReceipt] in
                    var applied: [WriteReceipt] = []
                    for (op, receipt) in page {
                        let outcome = try target.savepoint { () throws(SQLiteError) in
                            try target.applyShadow(op, receipt: receipt, in: schema)
                        }
                        switch outcome {
                        case .success: applied.append(receipt)
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
                case .success: replayed += receipts.count
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
