import Dispatch
import Synchronization

/// The dual writer's exclusion: a commit and the queueing of its shadow side happen under it, so a key's shadow
/// writes queue in its primary commit order, and a read that must see every acknowledged write on both sides passes
/// through it.
///
/// With more than one lane (a backend whose groups commit side by side), up to `lanes` group commits hold it at once
/// (``withCommitLock(_:)``; the group committer never lets two of them share a key), and every other holder
/// (``withLock(_:)``) waits until it holds it alone.
final class WriterLock: Sendable {
    /// How many group commits may hold the lock at once.
    let lanes: Int
    private let mutex = Mutex<Void>(())
    /// More than one lane: one permit per lane; a commit takes one, an exclusive holder all of them (under `mutex`,
    /// so that two exclusive holders never each hold some).
    private let permits: DispatchSemaphore?

    init(lanes: Int = 1) {
        self.lanes = max(lanes, 1)
        permits = lanes > 1 ? DispatchSemaphore(value: lanes) : nil
    }

    /// Runs `body` while no other holder runs.
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try mutex.withLock { (_) throws(E) -> T in
            guard let permits else { return try body() }
            for _ in 0..<lanes { permits.wait() }
            defer { for _ in 0..<lanes { permits.signal() } }
            return try body()
        }
    }

    /// Runs `body`, a group commit, beside at most `lanes - 1` others and no exclusive holder.
    func withCommitLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        guard let permits else { return try withLock(body) }
        permits.wait()
        defer { permits.signal() }
        return try body()
    }
}
