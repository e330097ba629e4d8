import PostgresNIO
import Tandem

/// Reads rows of a PostgreSQL record backend's two tables on connections of its own (see
/// ``PostgresRecordBackend/makeReader()``): comparisons never wait for the writer's transactions.
public final class PostgresRecordReader: RecordReader {
    let primary: PostgresSession
    /// The shadow's database, when it is another one than the primary's.
    let shadowDatabase: PostgresSession?
    let tables: PostgresTables

    init(primary: PostgresSession, shadow: PostgresSession?, tables: PostgresTables) throws(StoreError) {
        self.primary = primary
        self.shadowDatabase = shadow
        self.tables = tables
    }

    /// The session reading `side`'s table.
    func session(_ side: DualWriter.Side) -> PostgresSession {
        side == .primary ? primary : (shadowDatabase ?? primary)
    }

    func table(_ side: DualWriter.Side) -> PostgresTables.Table {
        side == .primary ? tables.primary : tables.shadow
    }

    public func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        let session = session(side)
        try PostgresRecordBackend.validate(key, location: session.location)
        let query = tables.record(table(side), key: key)
        return try session.run { (client) throws(StoreError) -> StoredRecord? in
            guard let row = try client.query(query, key: key).first else { return nil }
            return try PostgresTables.record(row, location: client.location)
        }
    }

    /// Both rows come from one statement (one snapshot) when both tables share a database; else primary, then shadow.
    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        guard shadowDatabase == nil else {
            return RecordPair(key: key, primary: try read(key, from: .primary), shadow: try read(key, from: .shadow))
        }
        try PostgresRecordBackend.validate(key, location: primary.location)
        let query = tables.pair(key: key)
        return try primary.run { (client) throws(StoreError) -> RecordPair in
            var pair = RecordPair(key: key, primary: nil, shadow: nil)
            for row in try client.query(query, key: key) {
                let (side, key, payload, seq, writtenAt) = try PostgresTables.decode(
                    row, as: (Int32, String, ByteBuffer, Int64, Int64).self, location: client.location)
                let record = StoredRecord(
                    key: key, payload: Array(payload.readableBytesView), seq: seq, writtenAt: writtenAt)
                if side == 0 { pair.primary = record } else { pair.shadow = record }
            }
            return pair
        }
    }

    /// One statement for all the keys.
    public func read(_ keys: [String], from side: DualWriter.Side) throws(StoreError) -> [StoredRecord?] {
        guard !keys.isEmpty else { return [] }
        let session = session(side)
        for key in keys { try PostgresRecordBackend.validate(key, location: session.location) }
        let query = tables.records(table(side), keys: keys)
        let found = try session.run { (client) throws(StoreError) -> [String: StoredRecord] in
            var found: [String: StoredRecord] = [:]
            for row in try client.query(query) {
                let record = try PostgresTables.record(row, location: client.location)
                found[record.key] = record
            }
            return found
        }
        return keys.map { found[$0] }
    }

    /// Up to `limit` rows of one table with keys after `after`, in byte-wise key order.
    func scan(_ side: DualWriter.Side, after: String?, limit: Int) throws(StoreError) -> [StoredRecord] {
        let query = tables.scan(table(side), after: after, limit: limit)
        return try session(side).run { (client) throws(StoreError) -> [StoredRecord] in
            try client.query(query).map { (row) throws(StoreError) in
                try PostgresTables.record(row, location: client.location)
            }
        }
    }

    /// The row count of one table.
    func count(_ side: DualWriter.Side) throws(StoreError) -> Int {
        let query = tables.count(table(side))
        return try session(side).run { (client) throws(StoreError) -> Int in
            guard let row = try client.query(query).first else { return 0 }
            return Int(try PostgresTables.decode(row, as: Int64.self, location: client.location))
        }
    }
}
