import Foundation

extension CircuitBreaker {
    /// Lets a fleet's breaker decide for this one (``FleetBreaker``): it still trips on its own window, but leaves
    /// `open` and `half_open` only by ``adopt(_:backoff:evidence:)``.
    package func followFleet() {
        machine.withLock { $0.follow() }
    }

    /// Moves to the state a fleet's breaker decided, with the evidence behind it; nothing happens when the breaker is
    /// in that state already.
    package func adopt(_ state: BreakerState, backoff: Int, evidence: ComparisonCounts) {
        let now = clock.now()
        machine.withLock { machine in
            var out: [BreakerTransition] = []
            machine.adopt(state, backoff: backoff, evidence: evidence, at: now, into: &out)
            publish(out)
        }
    }
}
