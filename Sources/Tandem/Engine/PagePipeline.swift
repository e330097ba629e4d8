import Foundation

/// Reads pages of record pairs on a thread of its own, a few pages ahead of the thread that compares them, so that
/// paging both stores out of the backend and comparing use two cores (verify).
///
/// The reading thread stops at the end of the stores, at the first read failure (handed over after the pages read
/// before it), or when the consumer calls ``cancel()``. At most ``depth`` pages wait at a time, so memory stays flat.
final class PagePipeline: @unchecked Sendable {  // Every mutable field is guarded by `condition`.
    /// What the reading thread hands over: a page, or the failure that stopped it.
    enum Item {
        case page([RecordPair])
        case failed(StoreError)
    }

    /// Pages read ahead at most.
    let depth: Int
    private let condition = NSCondition()
    private var items: [Item] = []
    private var finished = false
    private var cancelled = false

    /// Starts reading `cursor`'s pages on a new thread.
    init(cursor: RecordPairCursor, depth: Int = 4) {
        self.depth = max(1, depth)
        let thread = Thread { [self] in read(cursor) }
        thread.name = "tandem-verify-read"
        thread.start()
    }

    /// The next item in order, waiting for the reading thread; `nil` once every page has been handed over.
    func next() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Stops the reading thread after the page it is reading (the consumer gave up).
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func read(_ cursor: RecordPairCursor) {
        var cursor = cursor
        while true {
            let item: Item
            do {
                let page = try cursor.nextPage()
                item = .page(page)
                if page.isEmpty { break }
            } catch {
                item = .failed(error)
            }
            condition.lock()
            while items.count >= depth && !cancelled { condition.wait() }
            let stop = cancelled
            if !stop { items.append(item) }
            condition.broadcast()
            condition.unlock()
            if stop { break }
            if case .failed = item { break }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
