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
