import Synchronization

/// Reads both rows of a key through connections of its own, so that comparisons never wait for the writer's lock and
/// the service's reads never wait for comparisons.
///
/// In outbox mode (WAL) readers never block the writer and see committed data only. A comparison may then read a
/// key between its primary commit and its shadow write: the two rows carry different `seq`, and the comparator reads
/// them again and counts the comparison as `in_flight` if they still differ, never as a mismatch. In atomic mode
/// (rollback journal) a second reader would block commits, so reads go through the backend's own connection.
final class SQLiteRecordReader: RecordReader {
    private struct Connections {
        let primary: SQLiteConnection
        let shadow: SQLiteConnection
    }

    /// `nil` in atomic mode, where reads go through the backend.
    private let connections: Mutex<Connections?>
    private let backend: SQLiteRecordBackend?
    private let primaryPath: String
    private let shadowPath: String

    /// Opens read-only connections to both files.
    init(primaryPath: String, shadowPath: String, busyTimeout: Duration) throws(StoreError) {
        let options = SQLiteConnection.Options(
            readOnly: true, create: false, busyTimeoutMilliseconds: busyTimeout.clampedMilliseconds)
        let primary = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: primaryPath, options: options)
        }
        let shadow = try StoreError.mapping(fallback: .openFailed) { () throws(SQLiteError) in
            try SQLiteConnection(path: shadowPath, options: options)
        }
        connections = Mutex(Connections(primary: primary, shadow: shadow))
        backend = nil
        self.primaryPath = primaryPath
        self.shadowPath = shadowPath
    }

    /// Reads through `backend`'s connection (atomic mode).
    init(backend: SQLiteRecordBackend) {
        connections = Mutex(nil)
        self.backend = backend
        primaryPath = backend.primaryPath
        shadowPath = backend.shadowPath
    }

    func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: primaryPath)
        let path = side == .primary ? primaryPath : shadowPath
        let read = try connections.withLock { (connections) throws(StoreError) -> StoredRecord?? in
            guard let connections else { return .none }
            return .some(
                try StoreError.mapping(key: key, fallback: .readFailed, path: path) { () throws(SQLiteError) in
                    try (side == .primary ? connections.primary : connections.shadow).record(key: key)
                })
        }
        if let read { return read }
        return try backend?.read(key, from: side)
    }

    func read(_ keys: [String], from side: DualWriter.Side) throws(StoreError) -> [StoredRecord?] {
        for key in keys { try RecordKey.validate(key, path: primaryPath) }
        let path = side == .primary ? primaryPath : shadowPath
        let read = try connections.withLock { (connections) throws(StoreError) -> [StoredRecord?]? in
            guard let connections else { return nil }
            return try StoreError.mapping(fallback: .readFailed, path: path) { () throws(SQLiteError) in
                try (side == .primary ? connections.primary : connections.shadow).records(keys: keys)
            }
        }
        if let read { return read }
        return try keys.map { (key) throws(StoreError) in try backend?.read(key, from: side) }
    }

    func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: primaryPath)
        let primaryPath = primaryPath
        let shadowPath = shadowPath
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
        return try backend?.readPair(key) ?? RecordPair(key: key, primary: nil, shadow: nil)
    }
}
