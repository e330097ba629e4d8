/// A ledger that announces changes of its state rows as they happen (PostgreSQL's LISTEN/NOTIFY), so that a
/// ``FleetBreaker`` applies a change at once instead of at its next poll; polling stays the fallback.
public protocol LedgerChangeFeed: LedgerBackend {
    /// Starts announcing the changes of this ledger's state row `name` to `onChange` (called on any thread; several
    /// changes may come as one call) until the returned watch is closed or loses its connection.
    func watchChanges(of name: String, _ onChange: @escaping @Sendable () -> Void) throws(LedgerError)
        -> any LedgerChangeWatch
}

/// An announcement of a ledger's changes, as ``LedgerChangeFeed/watchChanges(of:_:)`` started it.
public protocol LedgerChangeWatch: Sendable {
    /// Whether changes are still announced (false once its connection is lost or it was closed).
    var isActive: Bool { get }
    /// Stops the announcements.
    func close()
}
