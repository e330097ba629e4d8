import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ledger of a run: mismatch groups and samples, breaker transitions, the consistency time series, per-cohort and
/// run totals, per-second comparison counts and the breaker's state row, and the plan's name and fingerprint, from
/// which ``loadReport()`` rebuilds the exact ``Report`` of the last checkpoint. Written through a ``LedgerBackend``
/// (an SQLite file by default, ``open(path:configuration:initial:)``).
///
/// Writing stays off the hot path: ``record(transition:)`` only appends to an in-memory buffer (it is safe to call
/// from the breaker's `onTransition` hook, under the breaker's lock), and ``checkpoint(report:)``, which replay and
/// verify call every second and at the end, writes the current aggregate state and the buffered transitions in one
/// transaction, then this instance's comparison counts of the current second and the breaker's state row. A run
/// killed between checkpoints keeps its last one.
///
/// Values of redacted fields arrive already redacted in the ``Report``; the ledger stores what it is handed and
/// nothing else. Safe to share between tasks.
public final class Ledger: Sendable {
    /// How a ledger file is opened for writing.
    public struct Configuration: Sendable {
        /// Whether commits survive power loss (`synchronous=FULL`); otherwise they survive a killed process.
        public var durable: Bool
        /// How long to wait for another connection's lock, in milliseconds.
        public var busyTimeoutMilliseconds: Int32
        /// The instance the run's comparison counts are recorded under; `host:pid` when nil.
        public var instance: String?

        /// Creates a configuration.
        public init(durable: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000, instance: String? = nil) {
            self.durable = durable
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.instance = instance
        }
    }

    /// The name of the breaker's state row.
    public static let breakerStateRow = "breaker"

    /// Where the ledger is written.
    public let backend: any LedgerBackend
    /// The instance this process records its comparison counts under.
    public let instance: String

    /// How the ledger is named (the file path of an SQLite ledger).
    public var path: String { backend.name }

    /// Transitions recorded since the last write, numbered by their place in the run (1-based); the counts of the
    /// current second; the breaker state row as last written.
    private struct Buffer {
        var recorded = 0
        var pending: [LedgerTransition] = []
        var lastCounts = ComparisonCounts()
        var bucket: LedgerBucket?
        var breakerRow: LedgerStateRow?
    }

    private let buffer = Mutex(Buffer())

    /// A ledger written through `backend`, recording comparison counts under `instance` (`host:pid` when nil).
    public init(backend: any LedgerBackend, instance: String? = nil) {
        self.backend = backend
        self.instance = instance ?? Self.defaultInstance()
    }

    /// Opens (creating if needed) the SQLite ledger at `path` for writing, and starts a new run in it.
    ///
    /// - Throws: ``LedgerError`` naming `path`: `notALedger` for a file that is not an SQLite database or holds other
    ///   tables (a record store, say), `unsupportedVersion` for a ledger from a newer Tandem, `corrupt`,
    ///   `openFailed`, `readOnly`. A file that is not a ledger is left untouched.
    ///
    /// With `initial`, the run's first checkpoint is written as the run starts, in the same transaction: a process
    /// killed at any moment after this call returns leaves a ledger that renders.
    public static func open(path: String, configuration: Configuration = .init(), initial: Report? = nil)
        throws(LedgerError) -> Ledger
    {
        let backend = try SQLiteLedgerBackend(
            path: path, durable: configuration.durable,
            busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds, initial: initial)
        return Ledger(backend: backend, instance: configuration.instance)
    }

    /// Buffers one breaker transition; it is written by the next ``flush()`` or ``checkpoint(report:)``.
    ///
    /// Cheap and non-blocking with respect to checkpoints: pass it as the engine's `onTransition` hook, which must see
    /// every transition of the run, in order.
    public func record(transition: BreakerTransition) {
        buffer.withLock { buffer in
            buffer.recorded += 1
            buffer.pending.append(LedgerTransition(seq: buffer.recorded, transition: transition))
        }
    }

    /// The number of transitions recorded but not yet written.
    public var pendingTransitions: Int { buffer.withLock { $0.pending.count } }

    /// Writes the buffered transitions, in one transaction.
    ///
    /// Transitions written after the last checkpoint are not part of its report, but ``loadReport()`` still shows
    /// them: a breaker that opened after the last checkpoint of a killed run fails the loaded report.
    ///
    /// - Throws: ``LedgerError``; the buffered transitions stay buffered.
    public func flush() throws(LedgerError) {
        let pending = buffer.withLock { $0.pending }
        guard !pending.isEmpty else { return }
        try backend.writeTransitions(pending)
        removeWritten(upTo: pending.last?.seq ?? 0)
    }

    /// Writes the current aggregate state of the run and the buffered transitions in one transaction, then this
    /// instance's comparison counts of the current second and the breaker's state row.
    ///
    /// Only the sections that changed since the previous checkpoint are rewritten. The report's `transitions` are the
    /// run's transitions so far, oldest first.
    ///
    /// - Throws: ``LedgerError``; the previous checkpoint stays whole.
    public func checkpoint(report: Report) throws(LedgerError) {
        let pending = buffer.withLock { $0.pending }
        try backend.writeCheckpoint(report, pending: pending)
        removeWritten(upTo: pending.last?.seq ?? 0)
        try recordCounts(report)
        try recordBreakerState(report)
    }

    /// Rebuilds the report of the last checkpoint of this ledger.
    ///
    /// - Throws: ``LedgerError`` as ``loadReport(path:)``.
    public func loadReport() throws(LedgerError) -> Report {
        try backend.loadReport()
    }

    /// Rebuilds the ``Report`` of the last checkpoint of the SQLite ledger at `path`: equal to the report that was
    /// checkpointed, plus any breaker transitions written after it (a breaker that opened then fails the report).
    ///
    /// - Throws: ``LedgerError`` naming `path`: `openFailed` for a missing file, `notALedger`, `corrupt`,
    ///   `unsupportedVersion`, `noCheckpoint` when the run stopped before its first checkpoint.
    public static func loadReport(path: String) throws(LedgerError) -> Report {
        try SQLiteLedgerBackend.loadReport(path: path)
    }

    // MARK: - Helpers

    /// The counts made since the previous checkpoint go to the bucket of the current second, by assignment: a second
    /// with several checkpoints holds their sum.
    private func recordCounts(_ report: Report) throws(LedgerError) {
        let now = ComparisonCounts(compared: report.totals.compared, mismatched: report.totals.mismatched)
        let second = try backend.currentSecond()
        let version = Int64(report.transitions.count)
        let bucket = buffer.withLock { buffer -> LedgerBucket? in
            let compared = now.compared - buffer.lastCounts.compared
            let mismatched = now.mismatched - buffer.lastCounts.mismatched
            guard compared > 0 || buffer.bucket?.second == second else { return nil }
            buffer.lastCounts = now
            var bucket = LedgerBucket(
                instance: instance, second: second, compared: 0, mismatched: 0, breakerVersion: version)
            if let current = buffer.bucket, current.second == second { bucket = current }
            bucket.compared += compared
            bucket.mismatched += mismatched
            bucket.breakerVersion = version
            buffer.bucket = bucket
            return bucket
        }
        if let bucket { try backend.recordCounts([bucket]) }
    }

    /// The breaker's state row follows the report's state, changed by compare-and-set.
    private func recordBreakerState(_ report: Report) throws(LedgerError) {
        let value = Array(report.breakerState.rawValue.utf8)
        let current = buffer.withLock { $0.breakerRow }
        guard current?.value != value else { return }
        let outcome = try backend.compareAndSet(Self.breakerStateRow, expected: current?.version, value: value)
        // A lost race (another run sharing the ledger) leaves the winner's row: the next checkpoint sets this run's
        // state over it, from its version (a row that is not there reads as version 0: create it again).
        buffer.withLock { $0.breakerRow = outcome.won || outcome.row.version > 0 ? outcome.row : nil }
    }

    private func removeWritten(upTo seq: Int) {
        buffer.withLock { buffer in buffer.pending.removeAll { $0.seq <= seq } }
    }

    /// `host:pid`, the instance a process records its counts under unless configured.
    package static func defaultInstance() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "localhost"
        return "\(host):\(getpid())"
    }
}
