import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A store file's identity and its writer lock.
///
/// Two paths name the same store when they resolve to the same file (device and inode, after following links), so
/// `x.sqlite`, `./x.sqlite`, `dir/../x.sqlite` and a symbolic link to it are one store. The writer lock is an
/// advisory `flock` on a file beside the store (`<store>-tandem.lock`, named from the resolved path, so every spelling
/// of the path finds the same lock): only one process at a time may write a store through the group commit and the
/// outbox relay (`replay`, a service's writer). Verify, backfill and repair take no writer lock; they write only
/// conditionally (DESIGN 11), so they run beside the holder. The kernel releases the lock when its holder dies, so a
/// killed run never leaves a stale lock behind.
final class StoreFileLock: Sendable {
    /// The lock file.
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The path with links and `.`/`..` resolved; for a file that does not exist yet, its directory resolved.
    static func resolved(_ path: String) -> String {
        if let real = realpath(path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let real = realpath(directory, nil) else { return url.standardizedFileURL.path }
        defer { free(real) }
        return String(cString: real) + "/" + url.lastPathComponent
    }

    /// Whether both paths name one existing file (same device and inode), or resolve to the same path.
    static func sameFile(_ lhs: String, _ rhs: String) -> Bool {
        var a = stat()
        var b = stat()
        if stat(lhs, &a) == 0, stat(rhs, &b) == 0 { return a.st_dev == b.st_dev && a.st_ino == b.st_ino }
        return resolved(lhs) == resolved(rhs)
    }

    /// Takes the writer lock of the store at `storePath` without waiting.
    ///
    /// - Returns: The held lock, or `nil` when the lock file cannot be created (a read-only directory: the store
    ///   itself cannot be written there either, and opening it says so).
    /// - Throws: ``StoreError/Code/locked`` naming the store and, where the lock file says, the holder.
    static func acquire(store storePath: String) throws(StoreError) -> StoreFileLock? {
        let path = resolved(storePath) + "-tandem.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = holderDescription(descriptor)
            close(descriptor)
            throw StoreError(
                code: .locked, path: storePath,
                message: "another Tandem writer holds this store\(holder.map { " (\($0))" } ?? "") through \(path); "
                    + "only one process may write a store at a time (verify, backfill and repair may run beside it)")
        }
        // Who holds it, for the next process that is refused.
        let text =
            "pid \(getpid()) on \(hostName()), \(CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "tandem")\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return StoreFileLock(path: path, descriptor: descriptor)
    }

    private static func holderDescription(_ descriptor: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = pread(descriptor, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : "held by " + text
    }

    private static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        return gethostname(&name, name.count) == 0 ? String(cString: name) : "localhost"
    }
}
