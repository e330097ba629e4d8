extension RecordPair {
    /// Merges two key-ordered pages of rows (byte-wise UTF-8 key order) into the first `limit` keys of their union,
    /// pairing rows of the same key.
    ///
    /// Correct for pages of `limit` rows each: any key among the first `limit` keys of the union is among the first
    /// `limit` keys of the store that holds it, so it is in one of the pages.
    package static func merge(primary: [StoredRecord], shadow: [StoredRecord], limit: Int) -> [RecordPair] {
        var result: [RecordPair] = []
        result.reserveCapacity(min(limit, primary.count + shadow.count))
        var i = 0
        var j = 0
        while result.count < limit && (i < primary.count || j < shadow.count) {
            if j == shadow.count || (i < primary.count && RecordKey.precedes(primary[i].key, shadow[j].key)) {
                result.append(RecordPair(key: primary[i].key, primary: primary[i], shadow: nil))
                i += 1
            } else if i == primary.count || RecordKey.precedes(shadow[j].key, primary[i].key) {
                result.append(RecordPair(key: shadow[j].key, primary: nil, shadow: shadow[j]))
                j += 1
            } else {
                result.append(RecordPair(key: primary[i].key, primary: primary[i], shadow: shadow[j]))
                i += 1
                j += 1
            }
        }
        return result
    }
}
