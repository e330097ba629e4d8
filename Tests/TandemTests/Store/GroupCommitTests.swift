import Foundation
import Synchronization
import TandemTesting
import Testing

@testable import Tandem

@Suite("DualWriter group commit and concurrency")
struct GroupCommitTests {
    @Test(arguments: DualWriteMode.allCases)
    func concurrentWritersAllLandWithTheirOwnReceipts(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        let writer = try DualWriter(
            primaryPath: dir.file("primary.sqlite"), shadowPath: dir.file("shadow.sqlite"),
            configuration: .init(mode: mode, maxBatch: 16, maxBatchWait: .milliseconds(1)))
        let perTask = 60
        let receipts = try await withThrowingTaskGroup(of: [WriteReceipt].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var receipts: [WriteReceipt] = []
                    for i in 0..<perTask {
                        // Every key is written twice by its task, so seq must go 1 then 2.
                        let key = "t\(task)-\(i % (perTask / 2))"
                        let payload = bytes("\(task)/\(i)")
                        receipts.append(try await writer.write(key: key, primary: payload, shadow: payload.reversed()))
                    }
                    return receipts
                }
            }
            var all: [WriteReceipt] = []
            for try await receipts in group { all += receipts }
            return all
        }
        #expect(receipts.count == 8 * perTask)
        #expect(receipts.filter { $0.seq == 1 }.count == 8 * perTask / 2)
        #expect(receipts.filter { $0.seq == 2 }.count == 8 * perTask / 2)
        #expect(try writer.counts() == (primary: 8 * perTask / 2, shadow: 8 * perTask / 2))
        for task in 0..<8 {
            for i in perTask / 2..<perTask {
                let key = "t\(task)-\(i % (perTask / 2))"
                let pair = try writer.readPair(key)
                #expect(pair.primary?.payload == bytes("\(task)/\(i)"))
                #expect(pair.shadow?.payload == bytes("\(task)/\(i)").reversed())
                #expect(pair.primary?.seq == 2 && pair.shadow?.seq == 2)
            }
        }
    }

    /// Writers whose tasks share one thread: a write that commits on its caller's thread never suspends, so
    /// without the periodic probe through the committer no other writer could ever join a group.
    @Test func writersSharingOneThreadStillFormGroups() async throws {
        let dir = try TemporaryDirectory()
        let writer = try DualWriter(
            primaryPath: dir.file("primary.sqlite"), shadowPath: dir.file("shadow.sqlite"),
            configuration: .init(mode: .outbox))
        let executor = SerialTaskExecutor()
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for i in 0..<(DualWriter.leadsPerProbe * 4) {
                            _ = try? await writer.write(key: "t\(task)-\(i)", primary: [1], shadow: [2])
                        }
                    }
                }
            }
        }
        #expect(writer.largestGroup > 1)
        #expect(
            try writer.counts() == (primary: 8 * DualWriter.leadsPerProbe * 4, shadow: 8 * DualWriter.leadsPerProbe * 4)
        )
    }

    @Test(arguments: DualWriteMode.allCases)
    func readersAlwaysSeeMatchingPairsWhileWritersRun(mode: DualWriteMode) async throws {
        let dir = try TemporaryDirectory()
        let writer = try openWriter(dir, mode)
        let keys = (0..<20).map { "key-\($0)" }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<6 {
                group.addTask {
                    for i in 0..<100 {
                        let key = keys[(task * 7 + i) % keys.count]
                        if i % 17 == 0 {
                            try await writer.delete(key: key)
                        } else {
                            let payload = bytes("\(task)-\(i)")
                            try await writer.write(key: key, primary: payload, shadow: payload + [0])
                        }
                    }
                    return 0
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    var mismatches = 0
                    for i in 0..<300 {
                        let pair = try writer.readPair(keys[i % keys.count])
                        // Both rows come from the same committed write (this writer never exposes a half).
                        if pair.primary?.seq != pair.shadow?.seq { mismatches += 1 }
                        if let primary = pair.primary, pair.shadow?.payload != primary.payload + [0] { mismatches += 1 }
                        if i % 50 == 0 {
                            var cursor = writer.pairCursor(pageSize: 6)
                            while let pair = try cursor.next() {
                                if pair.primary?.seq != pair.shadow?.seq { mismatches += 1 }
                            }
                        }
                        await Task.yield()
                    }
                    return mismatches
                }
            }
            var mismatches = 0
            for try await count in group { mismatches += count }
            #expect(mismatches == 0)
        }
        var cursor = writer.pairCursor()
        while let pair = try cursor.next() {
            #expect(pair.primary?.seq == pair.shadow?.seq)
            #expect(pair.primary.map { $0.payload + [0] } == pair.shadow?.payload)
        }
    }

    /// With two lanes (a backend that commits groups side by side), two groups commit at once but never share a key;
    /// after the burst, a lone writer's writes still commit (none waits for company that is not coming).
    @Test(.timeLimit(.minutes(1)))
    func twoLanesCommitGroupsSideBySideNeverSharingAKey() async throws {
        let committer = GroupCommitter(maxBatch: 64, maxBatchWait: .zero, leadsOnCallerThread: true, lanes: 2)
        let probe = LaneProbe()
        let commit: GroupCommitter.Commit = { ops in probe.commit(ops) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for i in 0..<60 {
                        let op = DualWriteOp.put(key: "k\((task * 7 + i) % 24)", primary: [UInt8(task)], shadow: [])
                        _ = try await committer.submit(op, commit: commit).get()
                    }
                }
            }
            try await group.waitForAll()
        }
        for i in 0..<50 {
            _ = try await committer.submit(.put(key: "solo\(i % 3)", primary: [1], shadow: []), commit: commit).get()
        }
        let state = probe.state.withLock { $0 }
        #expect(state.overlaps == 0, "two groups committing at once shared a key")
        #expect(state.most == 2 && committer.mostLanes == 2)
        #expect(state.committed == 16 * 60 + 50)
        #expect(committer.largestGroup > 1)
    }

    @Test(arguments: DualWriteMode.allCases)
    func writersOverABackendTakingTwoCommitsAtOnceKeepEveryKeyInOrder(mode: DualWriteMode) async throws {
        let writer = try DualWriter(
            backend: InMemoryRecordBackend(mode: mode, concurrentCommits: 2), configuration: .init(mode: mode))
        let receipts = try await writeConcurrently(writer, tasks: 16, writes: 40, keys: 30)
        try expectEveryKeyInOrder(writer, receipts)
    }
}

/// Runs every job on one serial dispatch queue: tasks that prefer it never run in parallel.
final class SerialTaskExecutor: TaskExecutor, @unchecked Sendable {  // The queue serializes all access.
    private let queue = DispatchQueue(label: "tandem.tests.serial-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A commit for ``GroupCommitter`` that takes a while (as a server's round trip does) and records which keys are
/// committing, how many groups at once, and any overlap between two groups committing at once.
final class LaneProbe: Sendable {
    struct State {
        var committing: Set<String> = []
        var groups = 0
        var most = 0
        var overlaps = 0
        var committed = 0
        var seqs: [String: Int64] = [:]
    }

    let state = Mutex(State())

    func commit(_ ops: ArraySlice<DualWriteOp>) -> [GroupCommitter.Outcome] {
        let keys = Set(ops.map(\.key))
        state.withLock { state in
            if !state.committing.isDisjoint(with: keys) { state.overlaps += 1 }
            state.committing.formUnion(keys)
            state.groups += 1
            state.most = max(state.most, state.groups)
        }
        usleep(300)
        return state.withLock { state in
            state.committing.subtract(keys)
            state.groups -= 1
            state.committed += ops.count
            return ops.map { op in
                let seq = (state.seqs[op.key] ?? 0) + 1
                state.seqs[op.key] = seq
                return .success(WriteReceipt(key: op.key, seq: seq, writtenAt: 0, deleted: false))
            }
        }
    }
}
