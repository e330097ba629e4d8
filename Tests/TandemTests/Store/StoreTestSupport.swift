import Foundation
import Synchronization
import Testing

@testable import Tandem

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tandem-store-" + UUID().uuidString
        // Traversable by others: the read-only test opens files here as an unprivileged user.
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs SQL on a database file through a connection of its own (used to inject faults like a trigger).
func executeSQL(_ path: String, _ sql: String) throws {
    let connection = try SQLiteConnection(path: path)
    try connection.execute(sql)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The file's exact bytes, to prove a failed open changed nothing.
func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

/// Catches a `StoreError` from a throwing call (Swift Testing's #expect(throws:) cannot inspect a code).
func storeError<T>(_ body: () throws(StoreError) -> T) -> StoreError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func asyncStoreError<T>(_ body: () async throws(StoreError) -> T) async -> StoreError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// The outcome of `body`, value or store error.
func asyncStoreResult<T>(_ body: () async throws(StoreError) -> T) async -> Result<T, StoreError> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

extension Result {
    var success: Success? { if case .success(let value) = self { value } else { nil } }
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}

/// Opens a writer of the directory's stores. A writer a test just dropped keeps the stores' writer lock until its
/// outbox relay has written its queued shadow rows (the relay holds it until then), so a `locked` store is tried again
/// for a while before the error is thrown.
func openWriter(
    _ dir: TemporaryDirectory, _ mode: DualWriteMode, maxBatch: Int = 256, shadowWrites: ShadowWriteTiming = .deferred,
    failures: ShadowFailures? = nil
) throws(StoreError) -> DualWriter {
    var report: (@Sendable (StoreError) -> Void)?
    if let failures { report = { failures.add($0) } }
    let deadline = ContinuousClock.now + .seconds(20)
    while true {
        do {
            return try DualWriter(
                primaryPath: dir.file("primary.sqlite"), shadowPath: dir.file("shadow.sqlite"),
                configuration: .init(
                    mode: mode, maxBatch: maxBatch, shadowWrites: shadowWrites, onShadowWriteFailure: report))
        } catch  where error.code == .locked && ContinuousClock.now < deadline {
            usleep(10_000)
        }
    }
}

/// Collects the deferred shadow-write failures a writer reports.
final class ShadowFailures: Sendable {
    private let errors = Mutex<[StoreError]>([])

    func add(_ error: StoreError) { errors.withLock { $0.append(error) } }

    var all: [StoreError] { errors.withLock { $0 } }

    /// The failures reported so far, once there are `count` of them (they are delivered on a queue of their own), or
    /// after `seconds`; then waits a little more, so that a surplus report would show too.
    func all(expecting count: Int, within seconds: Double = 10) -> [StoreError] {
        let deadline = Date().addingTimeInterval(seconds)
        while all.count < count && Date() < deadline { usleep(1_000) }
        usleep(20_000)
        return all
    }
}

/// The built `tandem-store-torture` binary, next to the test bundle in the build directory.
func tortureBinary() -> String? {
    var candidates: [URL] = []
    if let executable = Bundle.main.executableURL {
        candidates.append(executable.deletingLastPathComponent())
    }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug"))
    for directory in candidates {
        let path = directory.appendingPathComponent("tandem-store-torture").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// `tasks` writers putting `writes` records each over `keys` shared keys at once; returns every receipt with the
/// payload it wrote, by key.
func writeConcurrently(_ writer: DualWriter, tasks: Int, writes: Int, keys: Int) async throws
    -> [String: [(seq: Int64, payload: [UInt8])]]
{
    try await withThrowingTaskGroup(of: [(String, Int64, [UInt8])].self) { group in
        for task in 0..<tasks {
            group.addTask {
                var written: [(String, Int64, [UInt8])] = []
                for i in 0..<writes {
                    let key = "key-\((task * 7 + i * 3) % keys)"
                    let payload = bytes("\(task)/\(i)")
                    let receipt = try await writer.write(key: key, primary: payload, shadow: payload.reversed())
                    written.append((key, receipt.seq, payload))
                }
                return written
            }
        }
        var byKey: [String: [(seq: Int64, payload: [UInt8])]] = [:]
        for try await written in group {
            for (key, seq, payload) in written { byKey[key, default: []].append((seq, payload)) }
        }
        return byKey
    }
}

/// Checks what ``writeConcurrently(_:tasks:writes:keys:)`` left: each key's seqs run 1...n without a gap or a repeat,
/// and both stores hold the write with the largest seq (the shadow once the relay is done), with no outbox row left.
func expectEveryKeyInOrder(_ writer: DualWriter, _ receipts: [String: [(seq: Int64, payload: [UInt8])]]) throws {
    writer.waitForShadowWrites()
    for (key, written) in receipts {
        let seqs = written.map(\.seq).sorted()
        #expect(seqs == Array(1...Int64(written.count)), "seqs of \(key)")
        let newest = try #require(written.max { $0.seq < $1.seq })
        let pair = try writer.readPair(key)
        #expect(pair.primary?.payload == newest.payload && pair.primary?.seq == newest.seq, "primary of \(key)")
        #expect(
            pair.shadow?.payload == newest.payload.reversed() && pair.shadow?.seq == newest.seq, "shadow of \(key)")
    }
    #expect(try writer.pendingRepairs() == 0)
}
