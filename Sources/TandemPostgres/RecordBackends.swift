import Tandem

/// Opens the record backend that two store arguments name, as every command that takes `--primary` and `--shadow`
/// does: two SQLite files (the embedded default), or two PostgreSQL tables (`postgres://...` URLs, DESIGN section 10).
public enum RecordBackends {
    /// Whether a store argument names a PostgreSQL table rather than an SQLite file.
    public static func isServerStore(_ argument: String) -> Bool {
        PostgresLocation.isURL(argument)
    }

    /// Opens both stores with the writer's settings (mode; for SQLite also durability, busy timeout and the writer
    /// lock). Throws `StoreError` (`invalidArgument` when one argument is a file and the other a URL, or for the
    /// backend's own refusals; any error of `SQLiteRecordBackend` or ``PostgresRecordBackend``).
    ///
    /// - Parameters:
    ///   - primary: The primary (v2) store: an SQLite file or a PostgreSQL URL.
    ///   - shadow: The shadow (v1) store, of the same kind.
    ///   - writer: The writer's settings.
    ///   - onConnectionEvent: PostgreSQL only: called when a connection is lost and when it is restored.
    public static func open(
        primary: String, shadow: String, writer: DualWriter.Configuration,
        onConnectionEvent: (@Sendable (PostgresConnectionEvent) -> Void)? = nil
    ) throws(StoreError) -> any RecordBackend {
        switch (isServerStore(primary), isServerStore(shadow)) {
        case (false, false):
            return try SQLiteRecordBackend(
                primaryPath: primary, shadowPath: shadow, mode: writer.mode, durable: writer.durable,
                busyTimeout: writer.busyTimeout, exclusive: writer.exclusive)
        case (true, true):
            return try PostgresRecordBackend(
                primaryURL: primary, shadowURL: shadow, mode: writer.mode, onConnectionEvent: onConnectionEvent)
        case (true, false):
            throw StoreError(
                code: .invalidArgument, path: shadow,
                message: "the primary is a PostgreSQL URL but the shadow is a file: both stores must be of one kind")
        case (false, true):
            throw StoreError(
                code: .invalidArgument, path: primary,
                message: "the shadow is a PostgreSQL URL but the primary is a file: both stores must be of one kind")
        }
    }
}
