extension DynamicMessage {
    /// Reads a message of type `descriptor` from its proto3 JSON form (protobuf.dev, "ProtoJSON Format").
    ///
    /// Fields may be named by JSON name or `.proto` name; `null` leaves a field unset; enums are read by name or
    /// number; 64-bit integers from strings or numbers; bytes from standard or URL-safe base64; well-known types
    /// from their special forms (RFC 3339 timestamps, `"1.5s"` durations, bare wrapper values, Struct/Value as any
    /// JSON, `@type` for Any, resolved in `schema`).
    ///
    /// - Throws: ``ProtoJSONError`` naming the problem and the JSON path of the value concerned.
    public init(
        json: JSONValue, descriptor: MessageDescriptor, schema: Schema, options: ProtoJSONOptions = .init()
    ) throws(ProtoJSONError) {
        let decoder = ProtoJSONDecoder(schema: schema, options: options)
        self = try decoder.message(json, descriptor: descriptor, depth: 0)
    }

    /// Reads a message of type `descriptor` from proto3 JSON text (see ``init(json:descriptor:schema:options:)``).
    ///
    /// - Throws: ``ProtoJSONError``; for text that is not JSON, with the byte offset of the problem.
    public init(
        jsonString: String, descriptor: MessageDescriptor, schema: Schema, options: ProtoJSONOptions = .init()
    ) throws(ProtoJSONError) {
        try self.init(jsonUTF8: jsonString.utf8, descriptor: descriptor, schema: schema, options: options)
    }

    /// Reads a message of type `descriptor` from proto3 JSON as UTF-8 bytes (see
    /// ``init(json:descriptor:schema:options:)``).
    ///
    /// - Throws: ``ProtoJSONError``; for text that is not JSON, with the byte offset of the problem.
    public init(
        jsonUTF8 bytes: some Collection<UInt8>, descriptor: MessageDescriptor, schema: Schema,
        options: ProtoJSONOptions = .init()
    ) throws(ProtoJSONError) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes, maxDepth: options.maxDepth)
        } catch {
            throw ProtoJSONError(error)
        }
        try self.init(json: json, descriptor: descriptor, schema: schema, options: options)
    }

    /// The message in its proto3 JSON form.
    ///
    /// Fields are written in field-number order under their JSON names (or `.proto` names with
    /// ``ProtoJSONOptions/useProtoFieldNames``); unset fields are left out unless
    /// ``ProtoJSONOptions/alwaysPrintFieldsWithNoPresence``; unknown fields are never written.
    ///
    /// - Throws: ``ProtoJSONError`` for values with no JSON form: a Timestamp or Duration out of range, a
    ///   FieldMask path with no camelCase form, an Any whose type is not in the schema, a Value holding NaN.
    public func jsonValue(options: ProtoJSONOptions = .init()) throws(ProtoJSONError) -> JSONValue {
        try ProtoJSONEncoder(options: options, strict: true).message(self, depth: 0)
    }

    /// The message as proto3 JSON text, compact or pretty as `options` says (see ``jsonValue(options:)``).
    ///
    /// - Throws: ``ProtoJSONError`` for values with no JSON form.
    public func jsonString(options: ProtoJSONOptions = .init()) throws(ProtoJSONError) -> String {
        try jsonValue(options: options).jsonString(options: options.writing)
    }
}
