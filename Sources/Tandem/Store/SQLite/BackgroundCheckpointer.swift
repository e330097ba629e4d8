import CSQLite
import Dispatch
import Foundation
import Synchronization

/// Runs a WAL file's checkpoints on a background queue, through a connection of its own, instead of inside the commit
/// that crosses the checkpoint threshold.
///
/// SQLite's automatic checkpoint runs in the committing connection: every thousand pages or so, one commit also
/// copies the WAL back into the database file and waits for two `fdatasync`s (`synchronous=NORMAL` syncs at each
/// checkpoint), which on the dual writer's primary file was about a third of a write's time. Installed on the
/// writer's connection, the commit only notes how large the WAL has grown; a cycle of `PASSIVE` checkpoints runs
/// beside the writer (WAL lets a checkpoint and a writer run at once). The same pages are copied and the same syncs
/// happen, so durability is unchanged.
///
/// A WAL only starts over from its beginning when a writer begins while every page in it has been copied back. A
/// writer that keeps writing during a background checkpoint always leaves a few new pages behind it, so the cycle
/// repeats its passes, each copying what the previous one left (fewer pages each time), and runs the last, short
/// pass while `holdWriters` keeps the writer out; the writer's next commit then restarts the WAL, which stays
/// about as small as SQLite's own checkpoints keep it.
final class BackgroundCheckpointer: Sendable {
    /// WAL pages after which a cycle starts (SQLite's default automatic checkpoint threshold).
    static let threshold: Int32 = 1_000
    /// A pass that leaves fewer new pages than this is followed by the final pass with the writer held.
    static let finalPassPages: Int32 = 64
    /// Passes without the writer held, at most, before the final pass.
    static let maxPasses = 6
    /// WAL pages beyond which the final pass runs even though the passes before it did not converge (about 8 MB
    /// with 4 KiB pages). The held pass copies only what the pass before it left, so the writer waits about one pass.
    static let heldPassAnyway: Int32 = 2 * threshold

    let path: String
    private let options: SQLiteConnection.Options
    private let queue: DispatchQueue
    /// Runs its argument while no writer of the file can begin a transaction (set by the writer once it exists).
    private let holdWriters = Mutex<(@Sendable (() -> Void) -> Void)?>(nil)
    /// True while a cycle is queued or running.
    private let running = Atomic<Bool>(false)
    /// WAL pages copied back by the last cycle (0 once the WAL has restarted). A new cycle starts only after
    /// `threshold` more: a reader that pins old pages keeps the WAL from restarting, and cycles that could copy
    /// nothing new would only repeat their syncs.
    private let copied = Atomic<Int32>(0)
    /// The checkpoint connection, opened on first use; only `queue` touches it.
    private let connection = Mutex<SQLiteConnection?>(nil)

    /// Tests: a pause before each pass (a disk whose syncs are slow).
    private let passDelay: Duration

    init(path: String, options: SQLiteConnection.Options, queue: DispatchQueue, passDelay: Duration = .zero) {
        self.path = path
        self.passDelay = passDelay
        // The file exists (its writer has it open); a cycle that outlives the writer must not create it again.
        var options = options
        options.create = false
        self.options = options
        self.queue = queue
    }

    /// Replaces `connection`'s automatic checkpoints with this checkpointer's. Until ``setHoldWriters(_:)`` is called,
    /// cycles end without their final pass.
    func install(on connection: SQLiteConnection) {
        connection.setWALHook { [self] frames in committed(frames: frames) }
    }

    /// Sets how the final pass of a cycle keeps the writers out.
    func setHoldWriters(_ hold: @escaping @Sendable (() -> Void) -> Void) {
        holdWriters.withLock { $0 = hold }
    }

    /// Called by SQLite after each commit of the writer's connection, with the pages now in the WAL.
    private func committed(frames: Int32) {
        var done = copied.load(ordering: .acquiring)
        if frames < done {
            // The WAL has restarted since the last cycle.
            copied.store(0, ordering: .releasing)
            done = 0
        }
        guard frames - done >= Self.threshold,
            running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        queue.async { [self] in
            cycle()
            running.store(false, ordering: .releasing)
        }
    }

    /// Copies the WAL back in passes, the last one with the writer held (see the type's description).
    private func cycle() {
        connection.withLock { connection in
            if connection == nil { connection = try? SQLiteConnection(path: path, options: options) }
            guard let connection else { return }
            var previous: Int32 = -1
            var converged = false
            var log: Int32 = 0
            for _ in 0..<Self.maxPasses {
                guard let (pages, backfilled) = passiveCheckpoint(connection) else { return }
                log = pages
                copied.store(backfilled, ordering: .releasing)
                // (A few pages short of the log is a commit in progress, whose pages the next pass copies.)
                if previous >= 0 && log - previous < Self.finalPassPages {
                    converged = true
                    break
                }
                // A writer that outpaces the passes (fast commits, slow syncs) is held once the WAL has grown this
                // large; otherwise it would keep growing for as long as the writer kept up its pace.
                if log >= Self.heldPassAnyway { break }
                previous = log
            }
            // A cycle that neither converged nor reached that size ends here; the next one tries again.
            guard converged || log >= Self.heldPassAnyway, let hold = holdWriters.withLock({ $0 }) else { return }
            hold {
                if let (_, backfilled) = passiveCheckpoint(connection) {
                    copied.store(backfilled, ordering: .releasing)
                }
            }
        }
    }

    /// One `PASSIVE` checkpoint: the WAL's pages and how many are copied back, or nil when it could not run (another
    /// checkpoint running, an I/O error: left for the next cycle, as SQLite leaves its own).
    private func passiveCheckpoint(_ connection: SQLiteConnection) -> (log: Int32, backfilled: Int32)? {
        if passDelay > .zero { Thread.sleep(forTimeInterval: passDelay.seconds) }
        var log: Int32 = 0
        var backfilled: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &backfilled)
        return rc == SQLITE_OK ? (log, backfilled) : nil
    }
}
