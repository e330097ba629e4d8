import Tandem
import TandemPostgres

// Child process for the store crash and permission tests (Tests/TandemTests/Store).
//
//   tandem-store-torture write <outbox|atomic> PRIMARY SHADOW TAG
//       Dual-writes forever from 4 concurrent tasks and prints "ACK <key> <seq>" after each acknowledged
//       write; the test kills it with SIGKILL at a random moment. PRIMARY and SHADOW are SQLite files or
//       PostgreSQL URLs.
//   tandem-store-torture open <outbox|atomic> PRIMARY SHADOW
//       Drops root privileges (to nobody) if it has them, opens a DualWriter and prints "OPEN <repaired>"
//       or "ERROR <code>", so a read-only file can be tested even when the tests run as root.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func emit(_ line: String) {
    // One write(2) per line: the pipe never holds half a line from two tasks (lines < PIPE_BUF).
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
}

/// The shadow payload the crash test expects for a primary payload.
func shadowBytes(_ primary: [UInt8]) -> [UInt8] { [0x53] + primary.reversed() }

let args = CommandLine.arguments
guard args.count >= 5, let mode = DualWriteMode(rawValue: args[2]) else {
    emit("usage: tandem-store-torture write|open outbox|atomic PRIMARY SHADOW [TAG]")
    exit(2)
}
let configuration = DualWriter.Configuration(mode: mode)

switch args[1] {
case "open":
    if getuid() == 0 {
        // nobody: SQLite then gets EACCES on a 0444 file, as an unprivileged service would.
        guard setgid(65534) == 0, setuid(65534) == 0 else {
            emit("ERROR cannot-drop-privileges")
            exit(3)
        }
    }
    do {
        let writer = try DualWriter(primaryPath: args[3], shadowPath: args[4], configuration: configuration)
        emit("OPEN \(writer.repaired)")
    } catch {
        emit("ERROR \(error.code) \(error)")
    }
case "write":
    let tag = args.count > 5 ? args[5] : "t"
    let writer: DualWriter
    do {
        let backend = try RecordBackends.open(primary: args[3], shadow: args[4], writer: configuration)
        writer = try DualWriter(backend: backend, configuration: configuration)
    } catch {
        emit("ERROR \(error.code) \(error)")
        exit(1)
    }
    emit("READY \(writer.repaired)")
    await withTaskGroup(of: Void.self) { group in
        for task in 0..<4 {
            group.addTask {
                var i = 0
                while true {
                    let key = "k\(task)-\(i % 97)"
                    let primary = Array("\(tag)/\(key)/\(i)".utf8)
                    do {
                        let receipt = try await writer.write(key: key, primary: primary, shadow: shadowBytes(primary))
                        emit("ACK \(key) \(receipt.seq)")
                    } catch {
                        emit("FAIL \(key) \(error)")
                    }
                    i += 1
                }
            }
        }
    }
default:
    emit("unknown command \(args[1])")
    exit(2)
}
