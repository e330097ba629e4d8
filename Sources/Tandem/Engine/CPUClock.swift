#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The CPU clocks the comparator's budget reads (Linux and Darwin).
enum CPUClock {
    /// Monotonic wall-clock nanoseconds.
    static var wall: UInt64 { read(CLOCK_MONOTONIC) }
    /// CPU nanoseconds the whole process has used.
    static var process: UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }
    /// CPU nanoseconds the calling thread has used.
    static var thread: UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
