extension JSONValue {
    /// The default limit on nested arrays and objects.
    public static let defaultMaxDepth = 100

    /// Reads one JSON document (RFC 8259, strictly) from UTF-8 bytes.
    ///
    /// Rejects duplicate keys in an object, nesting deeper than `maxDepth` arrays and objects (at most 1,000),
    /// malformed UTF-8, invalid escapes, lone surrogates, unescaped control characters, trailing commas and anything
    /// after the document but whitespace.
    ///
    /// - Throws: ``JSONParseError`` with the byte offset and the path of the first problem.
    public init(parsing buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONValue.defaultMaxDepth)
        throws(JSONParseError)
    {
        var parser = JSONParser(buffer.bindMemory(to: UInt8.self), maxDepth: maxDepth)
        self = try parser.parseDocument()
    }

    /// Reads one JSON document (RFC 8259, strictly) from UTF-8 bytes.
    ///
    /// - Throws: ``JSONParseError`` with the byte offset and the path of the first problem.
    public init(parsing bytes: some Collection<UInt8>, maxDepth: Int = JSONValue.defaultMaxDepth)
        throws(JSONParseError)
    {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            do throws(JSONParseError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        if let result {
            self = try result.get()
        } else {
            try self.init(parsing: Array(bytes), maxDepth: maxDepth)
        }
    }

    /// Reads one JSON document (RFC 8259, strictly) from a string.
    ///
    /// - Throws: ``JSONParseError`` with the byte offset (in the string's UTF-8) and the path of the first problem.
    public init(parsing text: String, maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONParseError) {
        try self.init(parsing: text.utf8, maxDepth: maxDepth)
    }
}
