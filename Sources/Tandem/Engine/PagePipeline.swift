import Foundation

/// Reads pages of record pairs and judges them on threads of its own, a few pages ahead of the thread that records
/// them, so that verify uses every core: each worker reads the next page (one at a time, in key order) and judges it
/// while another reads; the consumer takes the judged pages in the order they were read.
///
/// Reading stops at the end of the stores, at the first read failure (handed over after every page read before it),
/// or when the consumer calls ``cancel()``. At most ``depth`` pages are read ahead of the consumer, so memory stays
/// flat.
final class PagePipeline: @unchecked Sendable {  // `cursor` is guarded by `readLock`, every other field by `condition`.
    /// What the consumer is handed: a page's size and its pairs judged, or the failure that stopped reading. The
    /// pairs themselves stay with the worker that read them, which frees them where they were allocated (freeing a
    /// page's payloads on the consumer's thread costs it and contends on the allocator's arena).
    enum Item {
        case page(count: Int, judged: [KeyComparison?])
        case failed(StoreError)
    }

    /// What a worker left at a page's position.
    private enum Slot {
        case item(Item)
        /// Both stores are exhausted.
        case end
    }

    typealias Judge = @Sendable ([RecordPair]) -> [KeyComparison?]

    /// Pages read ahead of the consumer at most.
    let depth: Int
    private let judge: Judge
    private let readLock = NSLock()
    private var cursor: RecordPairCursor
    private let condition = NSCondition()
    /// Pages handed to workers to read so far (the next page's position).
    private var issued = 0
    /// Pages the consumer has taken.
    private var consumed = 0
    /// Pages judged and not yet taken, by position.
    private var slots: [Int: Slot] = [:]
    /// No page is read any more: the end, or a failure, was read.
    private var readingDone = false
    private var finished = false
    private var cancelled = false
    /// Workers still running.
    private var running = 0

    /// Starts `workers` threads that read `cursor`'s pages and judge them with `judge`.
    init(cursor: RecordPairCursor, workers: Int, depth: Int = 4, judge: @escaping Judge) {
        self.cursor = cursor
        self.judge = judge
        let workers = max(1, workers)
        self.depth = max(depth, workers)
        running = workers
        for index in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "tandem-verify-\(index)"
            thread.start()
        }
    }

    /// The next judged page in read order, waiting for the workers; `nil` once every page has been handed over.
    func next() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        if finished { return nil }
        while slots[consumed] == nil { condition.wait() }
        let slot = slots.removeValue(forKey: consumed)
        consumed += 1
        condition.broadcast()
        switch slot {
        case .item(let item): return item
        case .end, nil:
            finished = true
            return nil
        }
    }

    /// Stops the workers after the pages they are on and waits until they have stopped (the consumer gave up; no
    /// worker touches the stores once this returns).
    func cancel() {
        condition.lock()
        cancelled = true
        slots.removeAll()
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while let (position, page) = read() {
            let slot: Slot
            switch page {
            case .success(let pairs) where pairs.isEmpty: slot = .end
            case .success(let pairs): slot = .item(.page(count: pairs.count, judged: judge(pairs)))
            case .failure(let error): slot = .item(.failed(error))
            }
            condition.lock()
            if !cancelled { slots[position] = slot }
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next page and its position, once it is at most ``depth`` pages ahead of the consumer; `nil` when reading
    /// is over or cancelled.
    private func read() -> (Int, Result<[RecordPair], StoreError>)? {
        readLock.lock()
        defer { readLock.unlock() }
        condition.lock()
        while !cancelled && !readingDone && issued - consumed >= depth { condition.wait() }
        let stop = cancelled || readingDone
        let position = issued
        if !stop { issued += 1 }
        condition.unlock()
        if stop { return nil }
        let page: Result<[RecordPair], StoreError>
        do {
            page = .success(try cursor.nextPage())
        } catch {
            page = .failure(error)
        }
        if case .success(let pairs) = page, !pairs.isEmpty { return (position, page) }
        condition.lock()
        readingDone = true
        condition.broadcast()
        condition.unlock()
        return (position, page)
    }
}
