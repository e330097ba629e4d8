import CSQLite
import Dispatch
import Synchronization

/// A ``RecordStore`` in one SQLite file, table `tandem_records`.
///
/// Safe to share between tasks: calls are serialized on one connection.
public final class SQLiteStore: RecordStore {
    /// The database file.
    public let path: String
    /// The configuration the store was opened with.
    public let configuration: Configuration
    private let connection: Mutex<SQLiteConnection>
    /// With ``Configuration/backgroundCheckpoints``: the file's checkpoints, off the writers' threads.
    private let checkpointer: BackgroundCheckpointer?

    /// Opens (creating if needed) the store at `path`.
    ///
    /// Throws ``StoreError`` with `openFailed` for a missing directory, `notADatabase` or `corrupt` for a
    /// damaged file, `schemaMismatch` when its `tandem_records` table is not the documented one, `readOnly` when the
    /// file cannot be written (unless `configuration.readOnly`).
    /// A failed open changes nothing in the file.
    public init(path: String, configuration: Configuration = Configuration()) throws(StoreError) {
        self.path = path
        self.configuration = configuration
        let options = SQLiteConnection.Options(
            readOnly: configuration.readOnly, create: !configuration.readOnly,
            busyTimeoutMilliseconds: configuration.busyTimeout.clampedMilliseconds)
        let opened = Result { () throws(SQLiteError) -> SQLiteConnection in
            let connection = try SQLiteConnection(path: path, options: options)
            try connection.checkRecordsTable()
            if configuration.readOnly {
                // A read-only connection cannot create the table; check it is there and readable.
                _ = try connection.countRecords()
            } else {
                try connection.configure(
                    journalMode: configuration.wal ? "WAL" : "DELETE",
                    synchronous: configuration.durable ? "FULL" : "NORMAL")
                try connection.createRecordsTable()
            }
            return connection
        }
        switch opened {
        case .success(let connection):
            if configuration.backgroundCheckpoints && configuration.wal && !configuration.readOnly {
                let checkpointer = BackgroundCheckpointer(
                    path: path, options: options, queue: DispatchQueue(label: "tandem.store.checkpoint"),
                    passDelay: configuration.checkpointPassDelay)
                checkpointer.install(on: connection)
                self.checkpointer = checkpointer
            } else {
                self.checkpointer = nil
            }
            self.connection = Mutex(connection)
        case .failure(let error):
            throw StoreError(error, fallback: .openFailed)
        }
        checkpointer?.setHoldWriters { [weak self] body in
            guard let self else { return }
            self.connection.withLock { _ in body() }
        }
    }

    private func withConnection<T: Sendable>(
        key: String? = nil, fallback: StoreError.Code, _ body: @Sendable (SQLiteConnection) throws(SQLiteError) -> T
    ) throws(StoreError) -> T {
        try connection.withLock { (connection) throws(StoreError) -> T in
            try StoreError.mapping(key: key, fallback: fallback) { () throws(SQLiteError) in try body(connection) }
        }
    }

    public func get(_ key: String) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: path)
        return try withConnection(key: key, fallback: .readFailed) { (connection) throws(SQLiteError) in
            try connection.record(key: key)
        }
    }

    public func get(keys: [String]) throws(StoreError) -> [StoredRecord?] {
        for key in keys { try RecordKey.validate(key, path: path) }
        return try withConnection(fallback: .readFailed) { (connection) throws(SQLiteError) in
            try connection.readTransaction { () throws(SQLiteError) in
                var records: [StoredRecord?] = []
                records.reserveCapacity(keys.count)
                for key in keys { records.append(try connection.record(key: key)) }
                return records
            }
        }
    }

    @discardableResult
    public func put(key: String, payload: [UInt8]) throws(StoreError) -> StoredRecord {
        try RecordKey.validate(key, path: path)
        return try withConnection(key: key, fallback: .writeFailed) { (connection) throws(SQLiteError) in
            try connection.immediateTransaction { () throws(SQLiteError) in
                let seq = (try connection.record(key: key)?.seq ?? 0) + 1
                let record = StoredRecord(key: key, payload: payload, seq: seq, writtenAt: unixMillisNow())
                try connection.upsertRecord(record)
                return record
            }
        }
    }

    @discardableResult
    public func delete(_ key: String) throws(StoreError) -> Bool {
        try RecordKey.validate(key, path: path)
        return try withConnection(key: key, fallback: .writeFailed) { (connection) throws(SQLiteError) in
            try connection.deleteRecord(key: key)
        }
    }

    public func scan(after: String?, limit: Int) throws(StoreError) -> [StoredRecord] {
        guard limit >= 0 else {
            throw StoreError(code: .invalidArgument, path: path, message: "scan limit \(limit) is negative")
        }
        return try withConnection(fallback: .readFailed) { (connection) throws(SQLiteError) in
            try connection.scanRecords(after: after, limit: limit)
        }
    }

    public func count() throws(StoreError) -> Int {
        try withConnection(fallback: .readFailed) { (connection) throws(SQLiteError) in try connection.countRecords() }
    }
}
