/// Something an operator of a ``TandemMigration`` wants to know at once, as ``TandemMigration/events`` yields it.
public enum TandemMigrationEvent: Sendable {
    /// The circuit breaker changed state (for example `closed` -> `open`: the canary is halted).
    case breakerTransition(BreakerTransition)
    /// A dual write failed; the caller got the same error.
    case writeFailed(TandemMigrationError)
    /// A deferred legacy (shadow) write failed after its v2 row committed and the caller's write returned
    /// (``ShadowWriteTiming/deferred``): the row waits in the outbox for the next open or repair, and until then
    /// comparisons of the key report the difference.
    case shadowWriteFailed(TandemMigrationError)
    /// The rollout took a decision (``TandemMigrationConfiguration/rollout``): the stage or canary changed, or an
    /// operator paused or resumed it.
    case rolloutDecision(RolloutDecision)
}
