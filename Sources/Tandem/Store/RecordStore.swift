/// A key-value store of encoded records: the seam between Tandem and a storage engine.
///
/// Deliberately free of SQLite types so that another engine (PostgreSQL) can conform.
public protocol RecordStore: Sendable {
    /// The record stored under `key`, or nil.
    func get(_ key: String) throws(StoreError) -> StoredRecord?
    /// The records stored under `keys`, in the same order (nil where absent), read as of one moment.
    func get(keys: [String]) throws(StoreError) -> [StoredRecord?]
    /// Stores `payload` under `key` with the next sequence number; returns the stored row.
    @discardableResult
    func put(key: String, payload: [UInt8]) throws(StoreError) -> StoredRecord
    /// Removes `key`; returns whether a row existed.
    @discardableResult
    func delete(_ key: String) throws(StoreError) -> Bool
    /// Up to `limit` records with keys after `after` (from the start when nil), in key order
    /// (byte-wise UTF-8 order).
    func scan(after: String?, limit: Int) throws(StoreError) -> [StoredRecord]
    /// The number of records.
    func count() throws(StoreError) -> Int
}
