import CSQLite

/// A value bound to a statement parameter. Values always travel as bindings, never inside SQL text.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// A prepared statement owned by one ``SQLiteConnection`` (and used only under that connection's lock).
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    private let path: String
    private unowned(unsafe) let connection: SQLiteConnection

    /// SQLite copies a value bound with `SQLITE_TRANSIENT` before the bind call returns; the macro is a
    /// cast of -1 that Swift cannot import, so we spell the cast out.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(handle: OpaquePointer, sql: String, path: String, connection: SQLiteConnection) {
        self.handle = handle
        self.sql = sql
        self.path = path
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    private func error(_ resultCode: Int32) -> SQLiteError {
        SQLiteError(resultCode: resultCode, db: connection.handle, sql: sql, path: path)
    }

    /// Resets the statement and binds `values` to parameters 1...n.
    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count else {
            throw SQLiteError(
                code: SQLITE_RANGE, extendedCode: SQLITE_RANGE,
                message: "statement expects \(expected) parameters, got \(values.count)", sql: sql, path: path)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .integer(let number):
                rc = sqlite3_bind_int64(handle, index, number)
            case .text(let string):
                rc = bindText(string, at: index)
            case .blob(let bytes):
                // A NULL pointer binds SQL NULL, not an empty blob; an empty protobuf message is a valid,
                // empty payload, so bind a zero-length blob explicitly.
                if bytes.isEmpty {
                    rc = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    rc = bytes.withUnsafeBytes { raw in
                        sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), Self.transient)
                    }
                }
            case .null:
                rc = sqlite3_bind_null(handle, index)
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    /// Advances one row. Returns true while a row is available.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(rc)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Releases the statement's read snapshot and bound buffers; called after every use so a cached
    /// statement never keeps a read transaction open (which would block WAL checkpoints).
    func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `string` to parameter `index` with an explicit byte length, so keys are stored byte for byte (an
    /// interior NUL included). A native string's UTF-8 is used in place; only a bridged one is copied.
    private func bindText(_ string: String, at index: Int32) -> Int32 {
        var text = string
        return text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                // A NULL pointer would bind SQL NULL: an empty string binds a zero-length text instead.
                guard let start = chars.baseAddress, !chars.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
                return sqlite3_bind_text(handle, index, start, Int32(chars.count), Self.transient)
            }
        }
    }

    /// Runs this `SELECT key, payload, seq, written_at ... WHERE key = ?` statement for `key` (bound without building
    /// a value array) and returns its row; the row's key is `key` itself (the lookup is byte-wise).
    func record(key: String) throws(SQLiteError) -> StoredRecord? {
        sqlite3_reset(handle)
        let rc = bindText(key, at: 1)
        guard rc == SQLITE_OK else { throw error(rc) }
        guard try step() else { return nil }
        return StoredRecord(key: key, payload: blob(1), seq: int64(2), writtenAt: int64(3))
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func text(_ column: Int32) -> String {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        // sqlite3_column_blob must be called before sqlite3_column_bytes (type conversion rule).
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
