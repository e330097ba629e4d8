extension Ledger {
    /// The saved position of the resumable job `job` (a backfill's), nil when none was saved. Positions are kept in
    /// the ledger across runs: a rerun on the same ledger reads the one its predecessor left.
    public func resumePoint(_ job: String) throws(LedgerError) -> [UInt8]? {
        try backend.state(LedgerSchema.resumablePrefix + job)?.value
    }

    /// Saves the position of the resumable job `job`, replacing the saved one (compare-and-set on its state row, so a
    /// concurrent saver never leaves a torn value: the last one to win stays).
    public func saveResumePoint(_ job: String, _ value: [UInt8]) throws(LedgerError) {
        let name = LedgerSchema.resumablePrefix + job
        var expected = try backend.state(name)?.version
        for _ in 0..<16 {
            let outcome = try backend.compareAndSet(name, expected: expected, value: value)
            if outcome.won { return }
            expected = outcome.row.version
        }
        throw LedgerError(
            code: .corrupt, path: path, message: "the position of \(job) changed under every attempt to save it")
    }
}
