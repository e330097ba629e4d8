import Foundation

/// The source of time for windows and breaker timeouts.
///
/// Injected so that tests advance time by hand and replay drives it from the traffic's timestamps: replaying a
/// day of traffic in seconds then behaves as the day did.
public protocol TandemClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct WallClock: TandemClock {
    /// Creates a wall clock.
    public init() {}

    /// The current system time.
    public func now() -> Date { Date() }
}
