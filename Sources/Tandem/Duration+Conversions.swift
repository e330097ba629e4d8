/// The conversions of `Duration` that SQLite, Dispatch and `Thread.sleep` need, in one place.
extension Duration {
    /// Seconds as a `Double`, for `Thread.sleep(forTimeInterval:)` and rates.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, clamped to `Int32` for SQLite's busy timeout.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }

    /// Whole nanoseconds, clamped to `Int`, for Dispatch deadlines.
    var clampedNanoseconds: Int {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : .max }
        return Int(clamping: max(0, whole + attoseconds / 1_000_000_000))
    }
}
