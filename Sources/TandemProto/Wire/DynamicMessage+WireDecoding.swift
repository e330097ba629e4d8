extension DynamicMessage {
    /// Decodes a protobuf binary payload as a message of type `descriptor`.
    ///
    /// Packed and unpacked encodings are both accepted for packable repeated fields; the last value of a singular
    /// scalar wins; repeated occurrences of a singular message are merged; unknown fields (and values whose wire type
    /// does not match the declaration, and unknown numbers of closed enums) are kept in wire order.
    ///
    /// - Parameters:
    ///   - bytes: the payload.
    ///   - descriptor: the message type.
    ///   - schema: the pool `descriptor` belongs to; nested types are resolved in it.
    ///   - options: depth and size limits.
    /// - Throws: ``WireDecodingError`` with the offset and field path of the first malformed element.
    public init(
        decoding bytes: [UInt8], as descriptor: MessageDescriptor, schema: Schema,
        options: WireDecodingOptions = .init()
    ) throws(WireDecodingError) {
        let result: Result<DynamicMessage, WireDecodingError> = bytes.withUnsafeBytes { raw in
            do throws(WireDecodingError) {
                return .success(try DynamicMessage(decoding: raw, as: descriptor, schema: schema, options: options))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes a protobuf binary payload held in contiguous memory as a message of type `descriptor`.
    ///
    /// - Throws: ``WireDecodingError`` with the offset and field path of the first malformed element.
    public init(
        decoding buffer: UnsafeRawBufferPointer, as descriptor: MessageDescriptor, schema: Schema,
        options: WireDecodingOptions = .init()
    ) throws(WireDecodingError) {
        self.init(descriptor: descriptor, schema: schema)
        try merge(decoding: buffer, options: options)
    }

    /// Decodes a protobuf binary payload from any collection of bytes (contiguous collections are read in place).
    ///
    /// - Throws: ``WireDecodingError`` with the offset and field path of the first malformed element.
    public init(
        decoding bytes: some Collection<UInt8>, as descriptor: MessageDescriptor, schema: Schema,
        options: WireDecodingOptions = .init()
    ) throws(WireDecodingError) {
        let contiguous: Result<DynamicMessage, WireDecodingError>? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(WireDecodingError) {
                return .success(
                    try DynamicMessage(
                        decoding: UnsafeRawBufferPointer(buffer), as: descriptor, schema: schema, options: options))
            } catch {
                return .failure(error)
            }
        }
        if let contiguous {
            self = try contiguous.get()
        } else {
            try self.init(decoding: Array(bytes), as: descriptor, schema: schema, options: options)
        }
    }

    /// Merges a protobuf binary payload into this message, as if the payload were appended to its encoding:
    /// singular scalars are replaced, messages merged, repeated fields appended, map entries replaced by key.
    ///
    /// - Throws: ``WireDecodingError``; the message is then left partly merged.
    public mutating func merge(
        decoding buffer: UnsafeRawBufferPointer, options: WireDecodingOptions = .init()
    ) throws(WireDecodingError) {
        guard buffer.count <= options.maxSize else {
            throw WireDecodingError(.sizeLimitExceeded, offset: max(0, options.maxSize))
        }
        guard options.maxDepth >= 1 else { throw WireDecodingError(.depthLimitExceeded, offset: 0) }
        makeUnique()
        var reader = WireReader(buffer)
        let decoder = WireDecoder(schema: schema, options: options)
        try decoder.decodeFields(into: storage, reader: &reader, depth: 1, group: nil)
    }

    /// Merges a protobuf binary payload into this message (the same rules as merging a buffer).
    ///
    /// - Throws: ``WireDecodingError``; the message is then left partly merged.
    public mutating func merge(decoding bytes: [UInt8], options: WireDecodingOptions = .init())
        throws(WireDecodingError)
    {
        var failure: WireDecodingError? = nil
        bytes.withUnsafeBytes { raw in
            do throws(WireDecodingError) { try self.merge(decoding: raw, options: options) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
