import CSQLite
import Foundation
import Synchronization

/// The ``LedgerBackend`` in one SQLite file of its own (DESIGN section 5): the embedded default, one run per file.
///
/// Users may query it with `sqlite3` (see the table layout in `LedgerSchema`). A checkpoint rewrites only the sections
/// of the report that changed since the previous one.
public final class SQLiteLedgerBackend: LedgerBackend {
    /// The ledger file.
    public let path: String
    public var name: String { path }

    /// What the connection last committed, so that a checkpoint rewrites only the sections that changed.
    struct Store {
        let connection: SQLiteConnection
        var written: Report?
        var checkpoints = 0
    }

    private let store: Mutex<Store>

    /// Opens (creating if needed) the ledger at `path` for writing, and starts a new run in it (the previous run's
    /// rows are removed). With `initial`, the new run's first checkpoint is written in the same transaction, so the
    /// file never holds a run without a checkpoint: a process killed at any moment after this leaves a ledger that
    /// renders.
    ///
    /// With `newRun: false` the ledger must exist and its run is left as it is: what a tool that only changes state
    /// rows (`tandem rollout`) opens.
    ///
    /// - Throws: ``LedgerError`` naming `path`: `notALedger` for a file that is not an SQLite database or holds other
    ///   tables (a record store, say), `unsupportedVersion` for a ledger from a newer Tandem, `corrupt`, `openFailed`,
    ///   `readOnly`. A file that is not a ledger is left untouched.
    public init(
        path: String, durable: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000, initial: Report? = nil,
        newRun: Bool = true
    ) throws(LedgerError) {
        if !newRun && !FileManager.default.fileExists(atPath: path) {
            throw LedgerError(code: .openFailed, path: path, message: "no such ledger file")
        }
        let options = SQLiteConnection.Options(
            readOnly: false, create: newRun, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, options: options)
        } catch {
            throw LedgerError(error, path: path, fallback: .openFailed)
        }
        var store = Store(connection: connection)
        do {
            let content = try LedgerSchema.content(of: connection)
            switch content {
            case .foreign:
                throw Self.notALedger(path)
            case .ledger(let version) where version != LedgerSchema.version:
                throw Self.unsupported(path, version: version)
            case .empty where !newRun:
                throw Self.notALedger(path)
            case .empty, .ledger:
                break
            }
            // After the content check: a file that is not a ledger is left as it was.
            try connection.configure(journalMode: "WAL", synchronous: durable ? "FULL" : "NORMAL")
            let now = unixMillisNow()
            if !newRun {
                self.path = path
                self.store = Mutex(store)
                return
            }
            try connection.immediateTransaction { () throws(SQLiteError) in
                if content == .empty {
                    try LedgerSchema.create(in: connection, nowUnixMillis: now)
                } else {
                    try LedgerSchema.reset(in: connection)
                }
                if let initial {
                    try connection.writeCheckpoint(
                        initial, previous: nil, pending: [], checkpoints: 1, nowUnixMillis: now)
                }
            }
            if let initial {
                store.written = initial
                store.checkpoints = 1
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw LedgerError(error, path: path, fallback: .openFailed)
        } catch {
            throw LedgerError(code: .openFailed, path: path, message: "\(error)")
        }
        self.path = path
        self.store = Mutex(store)
    }

    public func writeTransitions(_ transitions: [LedgerTransition]) throws(LedgerError) {
        guard !transitions.isEmpty else { return }
        try withStore(fallback: .writeFailed) { (store) throws(SQLiteError) in
            try store.connection.immediateTransaction { () throws(SQLiteError) in
                for numbered in transitions {
                    try store.connection.insertTransition(seq: numbered.seq, numbered.transition)
                }
            }
        }
    }

    public func writeCheckpoint(_ report: Report, pending: [LedgerTransition]) throws(LedgerError) {
        let now = unixMillisNow()
        try withStore(fallback: .writeFailed) { (store) throws(SQLiteError) in
            let written = store.written
            let checkpoints = store.checkpoints + 1
            try store.connection.immediateTransaction { () throws(SQLiteError) in
                try store.connection.writeCheckpoint(
                    report, previous: written, pending: pending, checkpoints: checkpoints, nowUnixMillis: now)
            }
            store.written = report
            store.checkpoints = checkpoints
        }
    }

    public func loadReport() throws(LedgerError) -> Report {
        let path = path
        return try withStore(fallback: .readFailed) { (store) throws(SQLiteError) -> Result<Report, LedgerError> in
            try store.connection.readTransaction { () throws(SQLiteError) in
                Result { () throws(LedgerError) in try LedgerReader(connection: store.connection, path: path).report() }
            }
        }.get()
    }

    public func recordCounts(_ buckets: [LedgerBucket]) throws(LedgerError) {
        guard !buckets.isEmpty else { return }
        try withStore(fallback: .writeFailed) { (store) throws(SQLiteError) in
            try store.connection.immediateTransaction { () throws(SQLiteError) in
                for bucket in buckets {
                    try store.connection.run(
                        """
                        INSERT INTO tandem_ledger_buckets(instance, second, compared, mismatched, breaker_version)
                        VALUES (?, ?, ?, ?, ?) ON CONFLICT(instance, second) DO UPDATE SET
                        compared = excluded.compared, mismatched = excluded.mismatched,
                        breaker_version = excluded.breaker_version
                        """,
                        [
                            .text(bucket.instance), .integer(bucket.second), .integer(Int64(bucket.compared)),
                            .integer(Int64(bucket.mismatched)), .integer(bucket.breakerVersion),
                        ])
                }
            }
        }
    }

    public func buckets(since: Int64) throws(LedgerError) -> [LedgerBucket] {
        try withStore(fallback: .readFailed) { (store) throws(SQLiteError) -> [LedgerBucket] in
            try store.connection.query(
                """
                SELECT instance, second, compared, mismatched, breaker_version FROM tandem_ledger_buckets
                WHERE second >= ? ORDER BY second, instance
                """, [.integer(since)]
            ) { row in
                LedgerBucket(
                    instance: row.text(0), second: row.int64(1), compared: Int(row.int64(2)),
                    mismatched: Int(row.int64(3)), breakerVersion: row.int64(4))
            }
        }
    }

    public func state(_ name: String) throws(LedgerError) -> LedgerStateRow? {
        try withStore(fallback: .readFailed) { (store) throws(SQLiteError) -> LedgerStateRow? in
            try Self.stateRow(name, on: store.connection)
        }
    }

    public func compareAndSet(_ name: String, expected: Int64?, value: [UInt8]) throws(LedgerError)
        -> (won: Bool, row: LedgerStateRow)
    {
        let now = unixMillisNow()
        return try withStore(fallback: .writeFailed) {
            (store) throws(SQLiteError) -> (won: Bool, row: LedgerStateRow) in
            let connection = store.connection
            return try connection.immediateTransaction { () throws(SQLiteError) -> (won: Bool, row: LedgerStateRow) in
                let current = try Self.stateRow(name, on: connection)
                if let current, current.version != expected { return (false, current) }
                if current == nil, expected != nil {
                    // Expected a row that is not there: nothing to adopt; report an empty version-0 row.
                    return (false, LedgerStateRow(name: name, version: 0, value: [], updatedAt: 0))
                }
                let row = LedgerStateRow(name: name, version: (expected ?? 0) + 1, value: value, updatedAt: now)
                try connection.run(
                    """
                    INSERT INTO tandem_ledger_state(name, version, value, updated_at_unix_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET version = excluded.version, value = excluded.value,
                    updated_at_unix_ms = excluded.updated_at_unix_ms
                    """, [.text(name), .integer(row.version), .blob(value), .integer(now)])
                return (true, row)
            }
        }
    }

    // MARK: - Reading a file

    /// Rebuilds the ``Report`` of the last checkpoint of the ledger file at `path`: equal to the report that was
    /// checkpointed, plus any breaker transitions written after it.
    ///
    /// Opens the file read-write without creating it, so that SQLite can recover a killed writer's journal; a
    /// write-protected file is read read-only.
    ///
    /// - Throws: ``LedgerError`` naming `path`: `openFailed` for a missing file, `notALedger`, `corrupt`,
    ///   `unsupportedVersion`, `noCheckpoint` when the run stopped before its first checkpoint.
    public static func loadReport(path: String) throws(LedgerError) -> Report {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(code: .openFailed, path: path, message: "no such ledger file")
        }
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, options: .init(readOnly: false, create: false))
        } catch let error where error.code == SQLITE_READONLY || error.code == SQLITE_CANTOPEN {
            do {
                connection = try SQLiteConnection(path: path, options: .init(readOnly: true, create: false))
            } catch {
                throw LedgerError(error, path: path, fallback: .openFailed)
            }
        } catch {
            throw LedgerError(error, path: path, fallback: .openFailed)
        }
        do {
            switch try LedgerSchema.content(of: connection) {
            case .empty, .foreign:
                throw notALedger(path)
            case .ledger(let version) where version != LedgerSchema.version:
                throw unsupported(path, version: version)
            case .ledger:
                break
            }
            // A damaged page can hide in a table the report does not read first; check them all up front so the
            // answer is a clear `corrupt`, never a report missing rows.
            let problems = try connection.query("PRAGMA quick_check") { $0.text(0) }
            if problems != ["ok"] {
                throw LedgerError(
                    code: .corrupt, path: path,
                    message: "the ledger is corrupt: \(problems.prefix(3).joined(separator: "; "))")
            }
            return try connection.readTransaction { () throws(SQLiteError) -> Result<Report, LedgerError> in
                Result { () throws(LedgerError) in try LedgerReader(connection: connection, path: path).report() }
            }.get()
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw LedgerError(error, path: path, fallback: .readFailed)
        } catch {
            throw LedgerError(code: .readFailed, path: path, message: "\(error)")
        }
    }

    // MARK: - Helpers

    private static func stateRow(_ name: String, on connection: SQLiteConnection) throws(SQLiteError)
        -> LedgerStateRow?
    {
        try connection.queryOne(
            "SELECT name, version, value, updated_at_unix_ms FROM tandem_ledger_state WHERE name = ?", [.text(name)]
        ) { row in
            LedgerStateRow(name: row.text(0), version: row.int64(1), value: row.blob(2), updatedAt: row.int64(3))
        }
    }

    private func withStore<T: Sendable>(
        fallback: LedgerError.Code, _ body: (inout Store) throws(SQLiteError) -> T
    ) throws(LedgerError) -> T {
        let path = path
        return try store.withLock { (store) throws(LedgerError) -> T in
            do throws(SQLiteError) {
                return try body(&store)
            } catch {
                throw LedgerError(error, path: path, fallback: fallback)
            }
        }
    }

    private static func notALedger(_ path: String) -> LedgerError {
        LedgerError(
            code: .notALedger, path: path,
            message: "not a Tandem ledger: the SQLite database has no \(LedgerSchema.versionTable) table")
    }

    private static func unsupported(_ path: String, version: Int64) -> LedgerError {
        LedgerError(
            code: .unsupportedVersion, path: path,
            message:
                "ledger schema version \(version) is not supported (this Tandem reads version \(LedgerSchema.version))")
    }
}
