import CSQLite
import Foundation
import Synchronization

/// The ledger of a run: an SQLite file of its own holding mismatch groups and samples, breaker transitions, the
/// consistency time series, per-cohort and run totals, and the plan's name and fingerprint, from which
/// ``loadReport(path:)`` rebuilds the exact ``Report`` of the last checkpoint.
///
/// Writing stays off the hot path: ``record(transition:)`` only appends to an in-memory buffer (it is safe to call
/// from the breaker's `onTransition` hook, under the breaker's lock), and ``checkpoint(report:)``, which replay
/// calls every commit interval and at the end, writes the current aggregate state and the buffered transitions in
/// one transaction. A run killed between checkpoints keeps its last one.
///
/// A ledger holds one run: opening it for writing with ``open(path:configuration:)`` starts a new run and removes the
/// previous run's rows. Values of redacted fields arrive already redacted in the ``Report``; the ledger stores what
/// it is handed and nothing else.
///
/// Safe to share between tasks.
public final class Ledger: Sendable {
    /// How a ledger is opened for writing.
    public struct Configuration: Sendable {
        /// Whether commits survive power loss (`synchronous=FULL`); otherwise they survive a killed process.
        public var durable: Bool
        /// How long to wait for another connection's lock, in milliseconds.
        public var busyTimeoutMilliseconds: Int32

        /// Creates a configuration.
        public init(durable: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000) {
            self.durable = durable
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        }
    }

    /// The ledger file.
    public let path: String

    /// Transitions recorded since the last write, numbered by their place in the run (1-based).
    private struct Buffer {
        var recorded = 0
        var pending: [(seq: Int, transition: BreakerTransition)] = []
    }

    /// What the connection last committed, so that a checkpoint rewrites only the sections that changed.
    struct Store {
        let connection: SQLiteConnection
        var written: Report?
        var checkpoints = 0
    }

    // Two locks: the breaker's hook only ever takes `buffer`, briefly, so a checkpoint's transaction (under `store`)
    // never blocks a comparison.
    private let buffer = Mutex(Buffer())
    private let store: Mutex<Store>

    private init(path: String, connection: sending SQLiteConnection) {
        self.path = path
        self.store = Mutex(Store(connection: connection))
    }

    /// Opens (creating if needed) the ledger at `path` for writing, and starts a new run in it.
    ///
    /// - Throws: ``LedgerError`` naming `path`: `notALedger` for a file that is not an SQLite database or holds other
    ///   tables (a record store, say), `unsupportedVersion` for a ledger from a newer Tandem, `corrupt`,
    ///   `openFailed`, `readOnly`. A file that is not a ledger is left untouched.
    public static func open(path: String, configuration: Configuration = .init()) throws(LedgerError) -> Ledger {
        let options = SQLiteConnection.Options(
            readOnly: false, create: true, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, options: options)
        } catch {
            throw LedgerError(error, path: path, fallback: .openFailed)
        }
        do {
            switch try LedgerSchema.content(of: connection) {
            case .foreign:
                throw notALedger(path)
            case .ledger(let version) where version != LedgerSchema.version:
                throw unsupported(path, version: version)
            case .empty:
                try LedgerSchema.create(in: connection, nowUnixMillis: unixMillisNow())
            case .ledger:
                try connection.immediateTransaction { () throws(SQLiteError) in
                    for table in LedgerSchema.tables where table != LedgerSchema.versionTable {
                        // Table names come from the constant list above, never from input.
                        try connection.execute("DELETE FROM \(table)")
                    }
                }
            }
            // After the content check: a file that is not a ledger is left as it was.
            try connection.configure(journalMode: "WAL", synchronous: configuration.durable ? "FULL" : "NORMAL")
        } catch let error as LedgerError {
            throw error
        } catch let error as SQLiteError {
            throw LedgerError(error, path: path, fallback: .openFailed)
        } catch {
            throw LedgerError(code: .openFailed, path: path, message: "\(error)")
        }
        return Ledger(path: path, connection: connection)
    }

    /// Buffers one breaker transition; it is written by the next ``flush()`` or ``checkpoint(report:)``.
    ///
    /// Cheap and non-blocking with respect to checkpoints: pass it as the engine's `onTransition` hook, which must see
    /// every transition of the run, in order.
    public func record(transition: BreakerTransition) {
        buffer.withLock { buffer in
            buffer.recorded += 1
            buffer.pending.append((buffer.recorded, transition))
        }
    }

    /// The number of transitions recorded but not yet written.
    public var pendingTransitions: Int { buffer.withLock { $0.pending.count } }

    /// Writes the buffered transitions, in one transaction.
    ///
    /// Transitions written after the last checkpoint are not part of its report, but ``loadReport(path:)`` still
    /// shows them: a breaker that opened after the last checkpoint of a killed run fails the loaded report.
    ///
    /// - Throws: ``LedgerError``; the buffered transitions stay buffered.
    public func flush() throws(LedgerError) {
        let pending = buffer.withLock { $0.pending }
        guard !pending.isEmpty else { return }
        try withStore(fallback: .writeFailed) { (store) throws(SQLiteError) in
            try store.connection.immediateTransaction { () throws(SQLiteError) in
                for (seq, transition) in pending {
                    try store.connection.insertTransition(seq: seq, transition.report)
                }
            }
        }
        removeWritten(upTo: pending.last?.seq ?? 0)
    }

    /// Writes the current aggregate state of the run, and the buffered transitions, in one transaction.
    ///
    /// Replay calls it every commit interval and at the end; only the sections that changed since the previous
    /// checkpoint are rewritten. The report's `transitions` are the run's transitions so far, oldest first.
    ///
    /// - Throws: ``LedgerError``; the previous checkpoint stays whole.
    public func checkpoint(report: Report) throws(LedgerError) {
        let pending = buffer.withLock { $0.pending }
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
        removeWritten(upTo: pending.last?.seq ?? 0)
    }

    /// Rebuilds the report of the last checkpoint of this ledger.
    ///
    /// - Throws: ``LedgerError`` as ``loadReport(path:)``.
    public func loadReport() throws(LedgerError) -> Report {
        let path = path
        return try withStore(fallback: .readFailed) { (store) throws(SQLiteError) -> Result<Report, LedgerError> in
            try store.connection.readTransaction { () throws(SQLiteError) in
                Result { () throws(LedgerError) in try LedgerReader(connection: store.connection, path: path).report() }
            }
        }.get()
    }

    /// Rebuilds the ``Report`` of the ledger's last checkpoint: equal to the report that was checkpointed, plus any
    /// breaker transitions written after it (a breaker that opened then fails the report).
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

    private func removeWritten(upTo seq: Int) {
        buffer.withLock { buffer in buffer.pending.removeAll { $0.seq <= seq } }
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

extension BreakerTransition {
    /// The transition as a report shows it.
    var report: Report.Transition {
        Report.Transition(at: at, from: from.rawValue, to: to.rawValue, mismatchRate: mismatchRate, samples: samples)
    }
}
