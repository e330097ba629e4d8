extension JSONValue {
    /// The value as JSON text: compact by default, or pretty with `options`.
    ///
    /// Object members are written in their stored order; strings escape only what RFC 8259 requires (quote,
    /// backslash and control characters), so non-ASCII text is written as UTF-8.
    public func jsonString(options: JSONWritingOptions = .init()) -> String {
        String(decoding: jsonBytes(options: options), as: UTF8.self)
    }

    /// The value as UTF-8 JSON bytes (see ``jsonString(options:)``).
    public func jsonBytes(options: JSONWritingOptions = .init()) -> [UInt8] {
        var writer = JSONWriter(options: options)
        writer.write(self)
        return writer.bytes
    }

    /// Appends the value as UTF-8 JSON bytes to `bytes` (see ``jsonString(options:)``).
    public func write(to bytes: inout [UInt8], options: JSONWritingOptions = .init()) {
        var writer = JSONWriter(options: options, into: bytes)
        bytes = []
        writer.write(self)
        bytes = writer.bytes
    }
}

extension JSONValue: CustomStringConvertible {
    /// The value as compact JSON text.
    public var description: String { jsonString() }
}
