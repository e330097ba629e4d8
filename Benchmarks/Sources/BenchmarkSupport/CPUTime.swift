import Foundation

/// CPU time (user + system) spent by this process and by the server processes beside it, read from `/proc`: what a
/// block of writes cost in CPU on each side, when wall time alone cannot say whether the client or the server is the
/// bottleneck (both share the machine's cores).
public struct CPUTime: Sendable {
    /// This process's CPU nanoseconds.
    public var client: UInt64
    /// CPU nanoseconds of every process whose command name is the server's (their sum; processes that exited in
    /// between are not counted).
    public var server: UInt64

    /// Both sides now; `server` names the server's processes as `/proc/PID/comm` does (`postgres`).
    public static func now(server: String) -> CPUTime {
        CPUTime(client: ticks(of: "self"), server: serverTicks(server))
    }

    /// Nanoseconds per item on each side between `start` and now.
    public func perItem(since start: CPUTime, items: Int) -> (client: Int, server: Int) {
        let count = UInt64(max(items, 1))
        return (Int((client &- start.client) / count), Int((server &- start.server) / count))
    }

    private static let nanosPerTick = UInt64(1_000_000_000 / max(sysconf(Int32(_SC_CLK_TCK)), 1))

    /// utime + stime of `/proc/<pid>/stat`, in nanoseconds (0 when unreadable).
    private static func ticks(of pid: String) -> UInt64 {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
        return (user + system) * nanosPerTick
    }

    private static func serverTicks(_ command: String) -> UInt64 {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var total: UInt64 = 0
        for pid in entries where pid.first?.isNumber == true {
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                comm.hasPrefix(command)
            else { continue }
            total += ticks(of: pid)
        }
        return total
    }
}
