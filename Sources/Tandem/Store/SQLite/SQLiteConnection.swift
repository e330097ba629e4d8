import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thin, internal wrapper over one `sqlite3*` connection.
///
/// Not thread-safe by itself: every owner keeps it inside a `Mutex`, so at most one thread uses it at a time
/// (which is also why it is opened with `SQLITE_OPEN_NOMUTEX`). It is marked `Sendable` only so that code holding
/// two of those locks at once (the dual writer's primary and shadow connections) can use both connections together,
/// which region-based isolation checking cannot express; the locks, not the type, make that safe.
final class SQLiteConnection: @unchecked Sendable {
    /// How a connection is opened.
    struct Options: Sendable {
        var readOnly: Bool = false
        var create: Bool = true
        /// Milliseconds SQLite's busy handler waits for a lock before returning `SQLITE_BUSY`.
        var busyTimeoutMilliseconds: Int32 = 5_000
        /// Whole-transaction retries after the busy handler gave up (bounded, so a stuck lock surfaces).
        var busyRetries: Int = 3
    }

    /// Process-wide SQLite settings, applied before the first connection opens: memory statistics off (with them on,
    /// every SQLite allocation, and this SQLite build allocates for every statement, takes one global mutex that the
    /// service's reads and the comparator's then meet on). A no-op when SQLite was initialized before Tandem opened
    /// anything.
    private static let configureOnce: Void = { _ = tandem_sqlite3_disable_memstatus() }()

    /// SQLite's count of the memory it holds: 0 while its memory statistics are off.
    static var sqliteMemoryInUse: Int64 { sqlite3_memory_used() }

    let handle: OpaquePointer
    let path: String
    let options: Options
    private var statements: [String: SQLiteStatement] = [:]
    /// The target of the WAL hook (see `setWALHook`), kept alive as long as the connection.
    private var walHook: WALHookBox?

    /// Opens `path`. Throws `SQLITE_CANTOPEN` for a missing directory, `SQLITE_NOTADB` for a file that is
    /// not a database, and `SQLITE_READONLY` when a read-write open could only get read access.
    init(path: String, options: Options = Options()) throws(SQLiteError) {
        _ = Self.configureOnce
        var flags: Int32 = SQLITE_OPEN_NOMUTEX
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(resultCode: rc, db: db, sql: nil, path: path)
            // sqlite3_open_v2 allocates a handle even when it fails; it must still be closed.
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.path = path
        self.options = options
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
        // Opening is lazy: SQLite reads the header on the first statement. Read the schema now so that
        // garbage or a corrupt header fails here, before any pragma could try to write to the file.
        _ = try queryOne("SELECT count(*) FROM sqlite_schema") { $0.int64(0) }
        // A read-write open of a file we may not write silently degrades to read-only (sqlite3_open_v2
        // docs: "opened read-only if the file is write protected"); writes would then fail much later.
        if !options.readOnly && sqlite3_db_readonly(db, "main") == 1 {
            throw SQLiteError(
                code: SQLITE_READONLY, extendedCode: SQLITE_READONLY,
                message: "the file is write-protected; opened read-only", sql: nil, path: path)
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_wal_hook(handle, nil, nil)
        sqlite3_close_v2(handle)
    }

    /// Calls `hook` with the number of pages in the WAL after every commit of this connection, in place of SQLite's
    /// automatic checkpoints (`sqlite3_wal_hook` replaces them).
    func setWALHook(_ hook: @escaping @Sendable (Int32) -> Void) {
        let box = WALHookBox(hook)
        walHook = box
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                guard let context else { return SQLITE_OK }
                Unmanaged<WALHookBox>.fromOpaque(context).takeUnretainedValue().call(frames)
                return SQLITE_OK
            }, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Runs SQL text that has no parameters (pragmas, DDL, transaction control).
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            var error = SQLiteError(resultCode: rc, db: handle, sql: sql, path: path)
            if let message {
                error.message = String(cString: message)
            }
            sqlite3_free(message)
            throw error
        }
    }

    /// A cached prepared statement for `sql`.
    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteError(resultCode: rc, db: handle, sql: sql, path: path)
        }
        let statement = SQLiteStatement(handle: stmt, sql: sql, path: path, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        let stmt = try statement(sql)
        defer { stmt.finish() }
        try stmt.bind(values)
        while try stmt.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps each row.
    func query<T>(
        _ sql: String, _ values: [SQLiteValue] = [], _ row: (SQLiteStatement) throws(SQLiteError) -> T
    ) throws(SQLiteError) -> [T] {
        let stmt = try statement(sql)
        defer { stmt.finish() }
        try stmt.bind(values)
        var rows: [T] = []
        while try stmt.step() {
            rows.append(try row(stmt))
        }
        return rows
    }

    /// Runs a query and maps its first row, if any.
    func queryOne<T>(
        _ sql: String, _ values: [SQLiteValue] = [], _ row: (SQLiteStatement) throws(SQLiteError) -> T
    ) throws(SQLiteError) -> T? {
        let stmt = try statement(sql)
        defer { stmt.finish() }
        try stmt.bind(values)
        guard try stmt.step() else { return nil }
        return try row(stmt)
    }

    /// True when no transaction is open (SQLite's autocommit mode).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction and commits it; rolls back on error.
    ///
    /// IMMEDIATE takes the write lock up front, so the busy handler can wait for it; a deferred transaction
    /// that upgrades from read to write in WAL mode fails with `SQLITE_BUSY_SNAPSHOT` without waiting.
    /// When the busy handler gives up, the whole transaction is retried a bounded number of times, so
    /// `body` must be safe to run again from scratch.
    func immediateTransaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        var attempt = 0
        while true {
            switch Result(catching: { () throws(SQLiteError) in try transaction(begin: "BEGIN IMMEDIATE", body) }) {
            case .success(let value):
                return value
            case .failure(let error) where error.isBusy && attempt < options.busyRetries:
                attempt += 1
                usleep(UInt32(1_000 * attempt * attempt))
            case .failure(let error):
                throw error
            }
        }
    }

    /// Runs `body` in a deferred (read) transaction, so every read in it sees one snapshot.
    func readTransaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try transaction(begin: "BEGIN DEFERRED", body)
    }

    /// `begin` is the BEGIN statement itself: BEGIN and COMMIT run as cached prepared statements (parsing them again
    /// for every write was measurable).
    private func transaction<T>(begin: String, _ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try run(begin)
        switch Result(catching: body).flatMap({ value in
            Result(catching: { () throws(SQLiteError) in try run("COMMIT") }).map { value }
        }) {
        case .success(let value):
            return value
        case .failure(let error):
            // Some errors (SQLITE_FULL, IOERR, ...) roll the transaction back already; ROLLBACK would then
            // fail with "no transaction is active", hiding the real error.
            if !isAutocommit {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }
}

/// The closure behind a connection's WAL hook.
final class WALHookBox: Sendable {
    let call: @Sendable (Int32) -> Void

    init(_ call: @escaping @Sendable (Int32) -> Void) { self.call = call }
}
