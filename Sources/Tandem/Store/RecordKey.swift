/// Key rules shared by every store: validated before any SQL runs, so a bad key writes nothing.
package enum RecordKey {
    /// The longest key, in UTF-8 bytes.
    package static let maxBytes = 1024

    package static func validate(_ key: String, path: String?) throws(StoreError) {
        let length = key.utf8.count
        if length == 0 {
            throw StoreError(code: .invalidKey, path: path, key: key, message: "the key is empty")
        }
        if length > maxBytes {
            throw StoreError(
                code: .invalidKey, path: path, key: String(key.prefix(64)) + "...",
                message: "the key is \(length) UTF-8 bytes; the limit is \(maxBytes)")
        }
    }

    /// Orders keys as SQLite's BINARY collation does (memcmp of UTF-8), which is not Swift's `<` on
    /// `String` (Unicode canonical ordering). Merge-joins over `ORDER BY key` must use this.
    package static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        // Native strings (every key read from a store) compare over their contiguous UTF-8; the element-wise walk
        // is for the rest.
        let contiguous = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in left.lexicographicallyPrecedes(right) }
        }
        if let contiguous, let result = contiguous { return result }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
