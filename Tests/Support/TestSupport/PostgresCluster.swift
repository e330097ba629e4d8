import Foundation

/// A throwaway PostgreSQL cluster of one test's own, which the test may restart or stop (the shared server that
/// `TANDEM_PG_URL` names must stay up under the other tests): a fresh data directory, a free port on 127.0.0.1, run
/// as the `postgres` user when the tests run as root (PostgreSQL refuses root), removed by ``stop()``.
///
/// The binaries come from `TANDEM_PG_BIN` (`.ci/run` exports it) or the newest `/usr/lib/postgresql/*/bin`. The
/// server that `pg_ctl start` forks keeps every descriptor its parent inherited, so children never get a pipe (their
/// output goes to files), and each runs under `python3`'s `subprocess`, which closes the rest: Foundation's `Process`
/// learns that a child exited when a socket the child inherited closes, which a server holding it never does (the
/// wait would hang for as long as the server runs), and other tests' pipes would stay open as long.
public final class PostgresCluster: @unchecked Sendable {  // Used from one test's thread.
    /// The server's URL (database `postgres`, user `postgres`, no TLS).
    public let url: String
    public let port: Int
    let directory: URL
    let bin: URL

    /// The directory holding `initdb` and `pg_ctl`, if any.
    public static var binaries: URL? {
        if let bin = ProcessInfo.processInfo.environment["TANDEM_PG_BIN"], !bin.isEmpty {
            return URL(fileURLWithPath: bin)
        }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().last.map {
            root.appendingPathComponent("\($0)/bin")
        }.flatMap { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("pg_ctl").path) ? $0 : nil }
    }

    /// Creates and starts a cluster.
    public init() throws {
        guard let bin = Self.binaries else {
            throw Oracle.Failure(description: "no PostgreSQL binaries (set TANDEM_PG_BIN or install postgresql)")
        }
        self.bin = bin
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "tandem-cluster-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        port = try Self.freePort()
        url = "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"
        try run("initdb", ["-D", data, "-A", "trust", "-U", "postgres"], log: "initdb.log")
        try start()
    }

    deinit { try? stop() }

    var data: String { directory.appendingPathComponent("data").path }

    /// Starts the server and waits until it accepts connections.
    public func start() throws {
        try pgCtl(["start", "-w", "-t", "60", "-o", options])
    }

    /// Restarts the server (`pg_ctl restart -m fast`: open connections are cut at once).
    public func restart() throws {
        try pgCtl(["restart", "-m", "fast", "-w", "-t", "60", "-o", options])
    }

    /// Stops the server and removes its directory.
    public func stop() throws {
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        try? pgCtl(["stop", "-m", "immediate", "-w", "-t", "60"])
        try FileManager.default.removeItem(at: directory)
    }

    private var options: String {
        "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off"
    }

    private func pgCtl(_ arguments: [String]) throws {
        try run(
            "pg_ctl", ["-D", data, "-l", directory.appendingPathComponent("server.log").path] + arguments,
            log: "pg_ctl.log")
    }

    /// Runs one of the binaries (as `postgres` when root), its output appended to `log` in the cluster's directory.
    private func run(_ name: String, _ arguments: [String], log: String) throws {
        let process = Process()
        let executable = bin.appendingPathComponent(name).path
        let command = (getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [executable] + arguments
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", "-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True))"]
            + command
        let logURL = directory.appendingPathComponent(log)
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: logURL)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            throw Oracle.Failure(description: "\(name) \(arguments) failed (\(process.terminationStatus)): \(text)")
        }
    }

    /// A TCP port nothing listens on now.
    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Oracle.Failure(description: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw Oracle.Failure(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
