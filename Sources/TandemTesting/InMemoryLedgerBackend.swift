import Foundation
import Synchronization
import Tandem

/// A ``LedgerBackend`` in memory: the reference the ledger contract tests hold SQLite to, and a ledger for tests that
/// need no file. Each operation is one step under one lock.
public final class InMemoryLedgerBackend: LedgerBackend {
    public let name: String

    private struct State {
        var transitions: [Int: Report.Transition] = [:]
        var checkpoint: Report?
        var buckets: [String: [Int64: LedgerBucket]] = [:]
        var rows: [String: LedgerStateRow] = [:]
        var clock: Int64 = 0
    }

    private let state = Mutex(State())

    /// Creates an empty ledger named `name` in errors.
    public init(name: String = "memory:ledger") {
        self.name = name
    }

    public func writeTransitions(_ transitions: [LedgerTransition]) throws(LedgerError) {
        state.withLock { state in
            for numbered in transitions { state.transitions[numbered.seq] = numbered.transition }
        }
    }

    public func writeCheckpoint(_ report: Report, pending: [LedgerTransition]) throws(LedgerError) {
        state.withLock { state in
            state.transitions = state.transitions.filter { $0.key > report.transitions.count }
            for (offset, transition) in report.transitions.enumerated() { state.transitions[offset + 1] = transition }
            for numbered in pending where numbered.seq > report.transitions.count {
                state.transitions[numbered.seq] = numbered.transition
            }
            state.checkpoint = report
        }
    }

    public func loadReport() throws(LedgerError) -> Report {
        let (checkpoint, transitions, rollout) = state.withLock { ($0.checkpoint, $0.transitions, $0.rows["rollout"]) }
        guard var report = checkpoint else {
            throw LedgerError(code: .noCheckpoint, path: name, message: "the ledger holds no checkpoint yet")
        }
        try report.takeRolloutRow(rollout?.value, ledger: name)
        let checkpointed = report.transitions.count
        report.appendLateTransitions(
            transitions.filter { $0.key > checkpointed }.sorted { $0.key < $1.key }.map(\.value))
        return report
    }

    public func recordCounts(_ buckets: [LedgerBucket]) throws(LedgerError) {
        state.withLock { state in
            for bucket in buckets { state.buckets[bucket.instance, default: [:]][bucket.second] = bucket }
        }
    }

    public func buckets(since: Int64) throws(LedgerError) -> [LedgerBucket] {
        state.withLock { state in
            state.buckets.values.flatMap(\.values).filter { $0.second >= since }.sorted {
                ($0.second, $0.instance) < ($1.second, $1.instance)
            }
        }
    }

    public func state(_ name: String) throws(LedgerError) -> LedgerStateRow? {
        state.withLock { $0.rows[name] }
    }

    public func compareAndSet(_ name: String, expected: Int64?, value: [UInt8]) throws(LedgerError)
        -> (won: Bool, row: LedgerStateRow)
    {
        state.withLock { state in
            let current = state.rows[name]
            if let current, current.version != expected { return (false, current) }
            if current == nil, expected != nil {
                return (false, LedgerStateRow(name: name, version: 0, value: [], updatedAt: 0))
            }
            // This machine's clock in Unix milliseconds, never going back and never repeating.
            state.clock = max(state.clock + 1, Int64(Date().timeIntervalSince1970 * 1000))
            let row = LedgerStateRow(name: name, version: (expected ?? 0) + 1, value: value, updatedAt: state.clock)
            state.rows[name] = row
            return (true, row)
        }
    }
}
