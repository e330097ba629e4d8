import Foundation
import Synchronization
import Tandem

/// A clock that moves only when told to, for tests of windows, breaker timeouts and anything else that reads a
/// ``TandemClock``.
public final class ManualClock: TandemClock {
    private let current: Mutex<Date>

    /// Creates a clock showing `start` (by default the Unix epoch).
    public init(start: Date = Date(timeIntervalSince1970: 0)) {
        current = Mutex(start)
    }

    /// The time the clock shows.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (negative values are ignored: time does not run backwards).
    public func advance(by seconds: Double) {
        guard seconds > 0 else { return }
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to `date` if that is later than the time it shows.
    ///
    /// Traffic timestamps may arrive slightly out of order; keeping the clock monotonic keeps windows and
    /// breaker timeouts consistent.
    public func set(to date: Date) {
        current.withLock { if date > $0 { $0 = date } }
    }
}
