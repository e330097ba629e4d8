extension SQLiteConnection {
    /// Runs `body` inside `SAVEPOINT`, undoing only its changes when it fails, so one bad row in a group
    /// commit does not undo the others.
    ///
    /// Returns the row's outcome; throws only when the enclosing transaction itself is gone. Some errors
    /// (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) roll back the whole transaction ("Response To Errors Within
    /// A Transaction", sqlite.org/lang_transaction.html); continuing would then run the remaining rows in
    /// autocommit mode, outside the group's transaction, so that case is rethrown to abort the group.
    ///
    /// The three statements are cached prepared statements, like BEGIN and COMMIT.
    func savepoint<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> Result<T, SQLiteError> {
        try run("SAVEPOINT tandem_row")
        let outcome = Result(catching: body)
        switch outcome {
        case .success:
            try run("RELEASE tandem_row")
        case .failure(let error):
            if isAutocommit { throw error }
            try run("ROLLBACK TO tandem_row")
            try run("RELEASE tandem_row")
        }
        return outcome
    }
}
