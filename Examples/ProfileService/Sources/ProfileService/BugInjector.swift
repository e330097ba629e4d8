import Synchronization

/// The bug `--inject-bug` plants in the v2 write path: every n-th write loses its display name, as a mapping
/// that forgot a field would. The legacy path is untouched, so the comparisons see it.
final class BugInjector: Sendable {
    private let every: Int
    private let writes = Mutex(0)

    init(share: Double) {
        every = share > 0 ? max(1, Int((1 / share).rounded())) : Int.max
    }

    func corrupt(_ profile: inout ProfileV2) {
        let hit = writes.withLock { count -> Bool in
            count += 1
            return count % every == 0
        }
        if hit { profile.profile.displayName = "" }
    }
}
