import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds executables built by this package (`tandem`, test children) next to the running test bundle.
public enum Binaries {
    /// The built executable named `name`.
    public static func url(_ name: String) throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            var directory = executable.deletingLastPathComponent()
            // On Linux the test binary may sit inside `<name>.xctest`; walk up to the products directory.
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent(name))
                directory = directory.deletingLastPathComponent()
            }
        }
        candidates.append(Oracle.packageRoot.appendingPathComponent(".build/debug/\(name)"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw Oracle.Failure(
            description:
                "\(name) is not built: run `swift build --build-tests` first (looked in \(candidates.map(\.path)))")
    }

    /// The result of running a built executable.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a built executable with `arguments` in `directory`, feeding `stdin`.
    public static func run(_ name: String, _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil) throws
        -> Result
    {
        try start(name, arguments, in: directory, stdin: stdin).wait()
    }

    /// A built executable running in the background (see ``start(_:_:in:stdin:)``).
    public final class Running: @unchecked Sendable {  // `output` is written once, before `done` is signalled.
        let process: Process
        let done = DispatchSemaphore(value: 0)
        var output: (out: Data, err: Data) = (Data(), Data())

        init(_ process: Process, out: Pipe, err: Pipe) {
            self.process = process
            DispatchQueue.global().async { [self] in
                let group = DispatchGroup()
                nonisolated(unsafe) var errData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errData = readToEnd(err.fileHandleForReading.fileDescriptor)
                    group.leave()
                }
                let outData = readToEnd(out.fileHandleForReading.fileDescriptor)
                group.wait()
                output = (outData, errData)
                done.signal()
            }
        }

        /// Whether the process is still running.
        public var isRunning: Bool { process.isRunning }

        /// Waits for the process to exit and returns what it printed and its status.
        public func wait() -> Result {
            done.wait()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, stdout: String(decoding: output.out, as: UTF8.self),
                stderr: String(decoding: output.err, as: UTF8.self))
        }
    }

    /// Starts a built executable with `arguments` in `directory`, feeds it `stdin` (then end of file), and returns
    /// while it runs. Both of its outputs are read as it writes them, so a chatty child never blocks on a full pipe.
    public static func start(_ name: String, _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil)
        throws -> Running
    {
        let process = Process()
        process.executableURL = try url(name)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        let running = Running(process, out: out, err: err)
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        return running
    }

    /// Everything a pipe delivers until its writer closes it. A signal (a child exiting: SIGCHLD) can interrupt a
    /// read; Foundation's `readDataToEndOfFile()` then traps, so this retries the read instead.
    static func readToEnd(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }
}
