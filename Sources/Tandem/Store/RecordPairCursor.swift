/// Walks every key of both stores of a ``DualWriter`` in key order, one page at a time.
///
/// Holds one page in memory, so a full verify stays flat in memory however large the stores are.
public struct RecordPairCursor: Sendable {
    private let writer: DualWriter
    private let pageSize: Int
    private var after: String?
    private var buffer: [RecordPair] = []
    private var index = 0
    private var exhausted = false

    init(writer: DualWriter, after: String?, pageSize: Int) {
        self.writer = writer
        self.after = after
        self.pageSize = max(1, pageSize)
    }

    /// The next pair, or nil when both stores are exhausted.
    public mutating func next() throws(StoreError) -> RecordPair? {
        if index == buffer.count {
            let page = try nextPage()
            if page.isEmpty { return nil }
            buffer = page
            index = 0
        }
        defer { index += 1 }
        return buffer[index]
    }

    /// The next page of pairs (at most the page size); empty when both stores are exhausted.
    /// Do not mix with ``next()`` on the same cursor.
    public mutating func nextPage() throws(StoreError) -> [RecordPair] {
        if exhausted { return [] }
        let page = try writer.pairs(after: after, limit: pageSize)
        // A short page means both stores had fewer rows left than the page size.
        if page.count < pageSize { exhausted = true }
        if let last = page.last { after = last.key }
        return page
    }
}
