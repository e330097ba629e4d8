extension Report {
    /// Adds the breaker transitions a ledger holds past its last checkpoint (the run was killed before the next one):
    /// they are shown, and a breaker that opened then fails the report, as it would have failed the run.
    package mutating func appendLateTransitions(_ late: [Report.Transition]) {
        guard let last = late.last else { return }
        transitions += late
        breakerState = last.to
        if late.contains(where: { $0.to == .open }) {
            gate.passed = false
            gate.inconclusive = false
            gate.reason = "failed: the circuit breaker opened (after the ledger's last checkpoint)"
        }
    }
}

extension Report {
    /// Shows the rollout's state row (`bytes`, when the ledger holds one) in place of the checkpoint's rollout, which
    /// may be older: a rollout steered after the last checkpoint shows as it stands.
    ///
    /// - Throws: ``LedgerError/Code/corrupt`` naming `ledger` when the row does not read back.
    package mutating func takeRolloutRow(_ bytes: [UInt8]?, ledger: String) throws(LedgerError) {
        guard let bytes, rollout != nil else { return }
        do { rollout = try RolloutStatus.decode(bytes) } catch {
            throw LedgerError(code: .corrupt, path: ledger, message: "its rollout row: \(error.reason)")
        }
    }
}
