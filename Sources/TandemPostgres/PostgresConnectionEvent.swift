/// A change in a PostgreSQL store's connection, for the service's logs and the CLI's warnings: a connection lost
/// mid-run is retried with backoff (DESIGN section 10), and the run reports the outage.
public enum PostgresConnectionEvent: Sendable, CustomStringConvertible {
    /// The connection to the store was lost or could not be opened; the call is retried.
    case lost(store: String, reason: String)
    /// The store answers again, after `attempts` tries over `downtime`.
    case restored(store: String, attempts: Int, downtime: Duration)

    /// One line for a log or a warning.
    public var description: String {
        switch self {
        case .lost(let store, let reason):
            return "\(store): connection lost (\(reason)); retrying with backoff"
        case .restored(let store, let attempts, let downtime):
            let seconds = Double(downtime.components.seconds) + Double(downtime.components.attoseconds) / 1e18
            return "\(store): connection restored after \(attempts) attempts, "
                + "\(String(format: "%.1f", seconds)) s without it"
        }
    }
}
