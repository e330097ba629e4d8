import Synchronization

/// Reads both rows of a key through connections of its own, so that comparisons never wait for the writer's lock and
/// the service's reads never wait for comparisons.
///
/// In outbox mode (WAL) readers never block the writer and see committed data only. A comparison may then read a
/// key between its primary commit and its shadow write: the two rows carry different `seq`, and the engine re-reads
/// them and counts the comparison as `in_flight` if they still differ, never as a mismatch. In atomic mode (rollback
/// journal) a second reader would block commits, so the writer's own ``DualWriter/readPair(_:)`` is used instead.
public final class RecordPairReader: Sendable {
    private struct Connections {
        let primary: SQLiteConnection
        let shadow: SQLiteConnection
    }

    /// `nil` inside in atomic mode, where reads go through the writer.
    private let connections: Mutex<Connections?>
    private let writer: DualWriter

    /// Opens read connections to the writer's two files (outbox mode), or reads through the writer (atomic mode).
    public init(writer: DualWriter) throws(StoreError) {
        self.writer = writer
        guard writer.configuration.mode == .outbox else {
            connections = Mutex(nil)
            return
        }
        let options = SQLiteConnection.Options(
            readOnly: true, create: false,
            busyTimeoutMilliseconds: writer.configuration.busyTimeout.clampedMilliseconds)
        let primary = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: writer.primaryPath, options: options)
        }
        let shadow = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: writer.shadowPath, options: options)
        }
        connections = Mutex(Connections(primary: primary, shadow: shadow))
    }

    /// The row of `key` in one store, as committed.
    public func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: writer.primaryPath)
        let path = side == .primary ? writer.primaryPath : writer.shadowPath
        let read = try connections.withLock { (connections) throws(StoreError) -> StoredRecord?? in
            guard let connections else { return .none }
            return .some(
                try StoreError.mapping(key: key, fallback: .readFailed, path: path) { () throws(SQLiteError) in
                    try (side == .primary ? connections.primary : connections.shadow).record(key: key)
                })
        }
        if let read { return read }
        return try writer.read(key, from: side)
    }

    /// The primary and shadow rows of `key`, as committed.
    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: writer.primaryPath)
        let primaryPath = writer.primaryPath
        let shadowPath = writer.shadowPath
        let pair = try connections.withLock { (connections) throws(StoreError) -> RecordPair? in
            guard let connections else { return nil }
            let primary = try StoreError.mapping(key: key, fallback: .readFailed, path: primaryPath) {
                () throws(SQLiteError) in try connections.primary.record(key: key)
            }
            let shadow = try StoreError.mapping(key: key, fallback: .readFailed, path: shadowPath) {
                () throws(SQLiteError) in try connections.shadow.record(key: key)
            }
            return RecordPair(key: key, primary: primary, shadow: shadow)
        }
        if let pair { return pair }
        return try writer.readPair(key)
    }
}
