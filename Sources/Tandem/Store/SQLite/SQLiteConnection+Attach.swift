import CSQLite

extension SQLiteConnection {
    /// ATTACHes the shadow file as schema `shadow` and checks it is a writable database.
    func attachShadow(path shadowPath: String) throws(SQLiteError) {
        // ATTACH takes the file name as an expression, so the path is bound like any other value.
        try run("ATTACH DATABASE ? AS shadow", [.text(shadowPath)])
        _ = try queryOne("SELECT count(*) FROM shadow.sqlite_schema") { $0.int64(0) }
        if sqlite3_db_readonly(handle, "shadow") == 1 {
            throw SQLiteError(
                code: SQLITE_READONLY, extendedCode: SQLITE_READONLY,
                message: "the file is write-protected; attached read-only", sql: nil, path: shadowPath)
        }
    }
}
