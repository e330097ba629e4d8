extension DualWriter {
    typealias Outcome = Result<WriteReceipt, StoreError>

    /// Commits `ops` as one group; call with the writers' lock held. With `isolateRows`, each row fails alone;
    /// without it, any failing row fails the whole group (nothing written). The outer failure means the group's
    /// primary transaction did not commit at all.
    ///
    /// Outbox mode costs one primary transaction per group (the primary rows with their outbox rows) plus the shadow
    /// rows' transaction: written here when `deferShadow` is false, else queued for the relay
    /// (``ShadowWriteTiming/deferred``), which writes every row queued meanwhile in one transaction. Removing the
    /// outbox rows of shadow rows now written is deferred into the next group's primary transaction, or a standalone
    /// one when the writer goes idle, closes, or is asked about pending rows: until then they are ordinary pending
    /// rows whose replay is a no-op (the shadow already holds the same seq, time and bytes), so a crash in between
    /// loses nothing.
    func commit(_ ops: ArraySlice<DualWriteOp>, isolateRows: Bool, deferShadow: Bool) -> Result<[Outcome], StoreError> {
        // The settled rows are this commit's to remove (a commit beside it takes none of them); if it fails, they
        // go back for the next.
        let settled = relay?.takeSettled() ?? []
        let committed = backend.commitPrimary(ops, settling: settled, isolateRows: isolateRows)
        guard case .success(var outcomes) = committed, let relay else {
            relay?.returnSettled(settled)
            return committed
        }

        // Outbox mode, step 2: the primary rows and their outbox rows are durable; write the shadow rows.
        var written: [ShadowWrite] = []
        var positions: [Int] = []
        written.reserveCapacity(outcomes.count)
        for (index, outcome) in outcomes.enumerated() {
            if case .success(let receipt) = outcome {
                written.append(ShadowWrite(op: ops[ops.startIndex + index], receipt: receipt))
                positions.append(index)
            }
        }
        if written.isEmpty { return .success(outcomes) }
        if deferShadow {
            relay.enqueue(written)
            return .success(outcomes)
        }
        // Inline: the relay first writes what it holds (older writes of these keys may be among it).
        relay.wait()
        let failed = backend.applyShadow(written)
        for (entry, error) in failed {
            let index = positions[entry]
            if case .success(let receipt) = outcomes[index] {
                outcomes[index] = .failure(OutboxRelay.shadowPending(error, receipt: receipt))
            }
        }
        // Step 3, deferred: the outbox rows of shadow rows now written are removed by the next primary transaction
        // (see above). Rows whose shadow write failed stay pending for repair().
        relay.finishInline(written, failed: failed)
        return .success(outcomes)
    }

    /// Commits `ops` as one group with per-row outcomes; call with the writers' lock held. If the group's transaction
    /// fails as a whole (an error that rolls back the entire transaction), each operation is retried alone, so one
    /// bad row cannot fail the other callers.
    func commitIsolated(_ ops: ArraySlice<DualWriteOp>, deferShadow: Bool) -> [Outcome] {
        switch commit(ops, isolateRows: true, deferShadow: deferShadow) {
        case .success(let outcomes):
            return outcomes
        case .failure(let error) where ops.count == 1:
            return [.failure(error)]
        case .failure:
            return ops.map { op in
                switch commit([op][...], isolateRows: true, deferShadow: deferShadow) {
                case .success(let outcomes):
                    return outcomes.first
                        ?? .failure(
                            StoreError(code: .writeFailed, path: primaryPath, key: op.key, message: "no outcome"))
                case .failure(let error): return .failure(error)
                }
            }
        }
    }
}
