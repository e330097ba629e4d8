extension SQLiteRecordBackend {
    public func read(_ key: String, from side: DualWriter.Side) throws(StoreError) -> StoredRecord? {
        try RecordKey.validate(key, path: primaryPath)
        if side == .shadow && mode == .outbox {
            return try withShadowConnection(key: key, fallback: .readFailed) { shadow throws(SQLiteError) in
                try shadow.record(key: key)
            }
        }
        let path = side == .primary ? primaryPath : shadowPath
        return try primary.withLock { (primary) throws(StoreError) -> StoredRecord? in
            // Atomic mode reads the shadow through the primary connection, where it is attached.
            try StoreError.mapping(key: key, fallback: .readFailed, path: path) { () throws(SQLiteError) in
                try primary.record(key: key, in: side == .primary ? .main : .shadow)
            }
        }
    }

    public func readPair(_ key: String) throws(StoreError) -> RecordPair {
        try RecordKey.validate(key, path: primaryPath)
        return try primary.withLock { (primary) throws(StoreError) -> RecordPair in
            if mode == .outbox {
                let p = try StoreError.mapping(key: key, fallback: .readFailed, path: primaryPath) {
                    () throws(SQLiteError) in try primary.record(key: key)
                }
                let s = try withShadowConnection(key: key, fallback: .readFailed) { shadow throws(SQLiteError) in
                    try shadow.record(key: key)
                }
                return RecordPair(key: key, primary: p, shadow: s)
            }
            return try StoreError.mapping(key: key, fallback: .readFailed, path: primaryPath) {
                () throws(SQLiteError) in
                try primary.readTransaction { () throws(SQLiteError) in
                    RecordPair(
                        key: key, primary: try primary.record(key: key),
                        shadow: try primary.record(key: key, in: .shadow))
                }
            }
        }
    }

    public func pairs(after: String?, limit: Int) throws(StoreError) -> [RecordPair] {
        guard limit > 0 else {
            throw StoreError(code: .invalidArgument, path: primaryPath, message: "page limit \(limit) must be positive")
        }
        let (primaryRows, shadowRows) = try primary.withLock {
            (primary) throws(StoreError) -> ([StoredRecord], [StoredRecord]) in
            let p = try StoreError.mapping(fallback: .readFailed, path: primaryPath) { () throws(SQLiteError) in
                try primary.scanRecords(after: after, limit: limit)
            }
            let s: [StoredRecord]
            if mode == .outbox {
                s = try withShadowConnection(key: nil, fallback: .readFailed) { shadow throws(SQLiteError) in
                    try shadow.scanRecords(after: after, limit: limit)
                }
            } else {
                s = try StoreError.mapping(fallback: .readFailed, path: shadowPath) { () throws(SQLiteError) in
                    try primary.scanRecords(after: after, limit: limit, in: .shadow)
                }
            }
            return (p, s)
        }
        return RecordPair.merge(primary: primaryRows, shadow: shadowRows, limit: limit)
    }

    public func counts() throws(StoreError) -> (primary: Int, shadow: Int) {
        try primary.withLock { (primary) throws(StoreError) -> (primary: Int, shadow: Int) in
            let p = try StoreError.mapping(fallback: .readFailed, path: primaryPath) { () throws(SQLiteError) in
                try primary.countRecords()
            }
            let s: Int
            if mode == .outbox {
                s = try withShadowConnection(key: nil, fallback: .readFailed) { shadow throws(SQLiteError) in
                    try shadow.countRecords()
                }
            } else {
                s = try StoreError.mapping(fallback: .readFailed, path: shadowPath) { () throws(SQLiteError) in
                    try primary.countRecords(in: .shadow)
                }
            }
            return (p, s)
        }
    }

    public func pendingOutbox(after: String?, limit: Int) throws(StoreError) -> [ShadowWrite] {
        try primary.withLock { (primary) throws(StoreError) -> [ShadowWrite] in
            try StoreError.mapping(fallback: .readFailed, path: primaryPath) { () throws(SQLiteError) in
                try primary.pendingOutbox(after: after, limit: limit)
            }
        }
    }

    public func pendingOutboxCount() throws(StoreError) -> Int {
        try primary.withLock { (primary) throws(StoreError) -> Int in
            try StoreError.mapping(fallback: .readFailed, path: primaryPath) { () throws(SQLiteError) in
                try primary.pendingOutboxCount()
            }
        }
    }
}
