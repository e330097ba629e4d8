import Foundation
import Synchronization

/// The clock of a replay: the latest traffic timestamp (`ts`) seen so far, or the wall clock while the traffic has
/// given none. It never runs backwards, so late lines count at the latest time seen.
public final class TrafficClock: TandemClock {
    private let latest = Mutex<Date?>(nil)

    /// Creates a clock that shows the wall clock until the first traffic timestamp.
    public init() {}

    /// The latest traffic timestamp, or the wall clock when none was seen.
    public func now() -> Date { latest.withLock { $0 } ?? Date() }

    /// Moves the clock to `date` if it is later than the latest timestamp seen (or is the first one).
    public func observe(_ date: Date) {
        latest.withLock { current in
            if current.map({ date > $0 }) ?? true { current = date }
        }
    }
}
