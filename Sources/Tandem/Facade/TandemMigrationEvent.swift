/// Something an operator of a ``TandemMigration`` wants to know at once, as ``TandemMigration/events`` yields it.
public enum TandemMigrationEvent: Sendable {
    /// The circuit breaker changed state (for example `closed` -> `open`: the canary is halted).
    case breakerTransition(BreakerTransition)
    /// A dual write failed; the caller got the same error.
    case writeFailed(TandemMigrationError)
}
