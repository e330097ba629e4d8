import PostgresNIO
import Tandem

extension PostgresRecordBackend {
    public func conditionalWrite(_ writes: [ConditionalWrite]) throws(StoreError) -> [ConditionalWriteOutcome] {
        for write in writes {
            try Self.validate(write.record.key, location: write.side == .primary ? primaryLocation : shadowLocation)
        }
        return try ConditionalWrite.bySide(writes) { (batch, side) throws(StoreError) in
            try conditionalWrite(batch, to: side)
        }
    }

    /// Conditional writes to one table, in one transaction on the reads' connection (never the writer's). Each row is
    /// locked before its condition is checked: a primary write takes its key's seq lock, which every dual write of
    /// the key takes too, so a dual write committing later gets a larger seq; a shadow row is locked `FOR UPDATE`,
    /// and a later shadow write of a newer seq replaces it, as it must.
    private func conditionalWrite(_ writes: [ConditionalWrite], to side: DualWriter.Side) throws(StoreError)
        -> [ConditionalWriteOutcome]
    {
        let tables = self.tables
        let table = side == .primary ? tables.primary : tables.shadow
        let other: DualWriter.Side = side == .primary ? .shadow : .primary
        let session = side == .primary ? primaryReads : shadowReads
        let sameDatabase = primaryReads === shadowReads
        let reads = self.reads
        return try session.transaction { (client) throws(StoreError) -> [ConditionalWriteOutcome] in
            /// Rows of the other table, read inside this transaction when it shares the database.
            func partner(_ key: String) throws(StoreError) -> StoredRecord? {
                guard sameDatabase else { return try reads.read(key, from: other) }
                guard
                    let row = try client.query(
                        tables.record(other == .primary ? tables.primary : tables.shadow, key: key)
                    ).first
                else { return nil }
                return try PostgresTables.record(row, location: client.location)
            }
            func pending(_ key: String) throws(StoreError) -> Bool {
                let query = tables.pendingKeys([key])
                if sameDatabase { return try !client.query(query).isEmpty }
                return try reads.primary.run { (client) throws(StoreError) -> Bool in try !client.query(query).isEmpty }
            }
            func current(_ key: String) throws(StoreError) -> StoredRecord? {
                guard let row = try client.query(tables.record(table, key: key, lock: true), key: key).first else {
                    return nil
                }
                return try PostgresTables.record(row, location: client.location)
            }

            var outcomes: [ConditionalWriteOutcome] = []
            outcomes.reserveCapacity(writes.count)
            for write in writes {
                let key = write.record.key
                var tombstoned = false
                if side == .primary,
                    let row = try client.query(tables.lockKey(key, seq: write.record.seq), key: key).first
                {
                    tombstoned = try PostgresTables.decode(row, as: Bool.self, location: client.location)
                }
                let found = try current(key)
                switch write.condition {
                case .absent:
                    if found != nil {
                        outcomes.append(.conflict(current: found))
                        continue
                    }
                    if tombstoned {
                        outcomes.append(.tombstoned)
                        continue
                    }
                case .seq(let seq):
                    guard let found, found.seq == seq else {
                        outcomes.append(.conflict(current: found))
                        continue
                    }
                }
                if let expected = write.partnerSeq {
                    let row = try partner(key)
                    let waiting = side == .shadow && row?.seq == expected ? try pending(key) : false
                    guard row?.seq == expected, !waiting else {
                        outcomes.append(.partnerChanged(current: row))
                        continue
                    }
                }
                let query: PostgresQuery
                switch write.condition {
                case .absent: query = tables.insertIfAbsent(table, write.record)
                case .seq(let seq): query = tables.replace(table, write.record, ifSeq: seq)
                }
                let changed = try client.query(query, key: key, fallback: .writeFailed).metadata.rows ?? 0
                // Zero only when another writer inserted the key after the check (absent rows cannot be locked).
                outcomes.append(changed > 0 ? .written : .conflict(current: try current(key)))
            }
            return outcomes
        }
    }
}
