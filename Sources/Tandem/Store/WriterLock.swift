import Synchronization

/// The dual writer's exclusion: a commit and the queueing of its shadow side happen under it, so shadow writes queue
/// in primary commit order, and a read that must see every acknowledged write on both sides passes through it.
final class WriterLock: Sendable {
    private let mutex = Mutex<Void>(())

    /// Runs `body` while no other holder runs.
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try mutex.withLock { (_) throws(E) -> T in try body() }
    }
}
