import PostgresNIO
import Tandem

extension PostgresRecordBackend {
    public func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        try reads.read(key, from: side)
    }

    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try reads.readPair(key)
    }

    public func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryName, message: "page limit \(limit) must be positive")
        }
        if reads.shadowDatabase == nil {
            // One statement, one snapshot: both tables' pages joined by key. The next page is asked for as soon as
            // this one has arrived, so that the server runs it while this one is decoded and compared.
            let start = after ?? ""
            var fetched: [PostgresRow]?
            let ahead = prefetchedPage.withLock { page in
                defer { page = nil }
                return page
            }
            if let ahead, ahead.after == start, ahead.limit == limit {
                fetched = try? ahead.rows.wait()
            }
            if fetched == nil {
                let query = tables.pairPage(after: start, limit: limit)
                fetched = try primaryReads.run { (client) throws(StoreError) -> [PostgresRow] in
                    try client.execute(query, fallback: .readFailed)
                }
            }
            let rows = fetched ?? []
            if rows.count == limit, let last = rows.last?.cell(0)?.binaryText,
                let next = primaryReads.send(tables.pairPage(after: last, limit: limit))
            {
                prefetchedPage.withLock { $0 = PrefetchedPage(after: last, limit: limit, rows: next) }
            }
            return try rows.map { (row) throws(StoreError) in try PostgresTables.pair(row, location: primaryLocation) }
        }
        let primaryRows = try reads.scan(.primary, after: after, limit: limit)
        let shadowRows = try reads.scan(.shadow, after: after, limit: limit)
        return RecordPair.merge(primary: primaryRows, shadow: shadowRows, limit: limit)
    }

    public func counts() throws(StoreError) -> (primary: Int, shadow: Int) {
        (try reads.count(.primary), try reads.count(.shadow))
    }

    public func pendingOutbox(after: String?, limit: Int) throws(StoreError) -> [ShadowWrite] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryName, message: "page limit \(limit) must be positive")
        }
        let query = tables.pendingOutbox(after: after, limit: limit)
        return try primaryReads.run { (client) throws(StoreError) -> [ShadowWrite] in
            try client.query(query).map { (row) throws(StoreError) -> ShadowWrite in
                let (key, op, payload, seq, writtenAt) = try PostgresTables.decode(
                    row, as: (String, String, ByteBuffer?, Int64, Int64).self, location: client.location)
                let deleted = op == "delete"
                let receipt = WriteReceipt(key: key, seq: seq, writtenAt: writtenAt, deleted: deleted)
                let shadow = payload.map { Array($0.readableBytesView) } ?? []
                return ShadowWrite(
                    op: deleted ? .delete(key: key) : .put(key: key, primary: [], shadow: shadow), receipt: receipt)
            }
        }
    }

    public func pendingOutboxCount() throws(StoreError) -> Int {
        let query = tables.pendingOutboxCount
        return try primaryReads.run { (client) throws(StoreError) -> Int in
            guard let row = try client.query(query).first else { return 0 }
            return Int(try PostgresTables.decode(row, as: Int64.self, location: client.location))
        }
    }
}
