import TandemProto

/// A diff's values are kept as their JSON text, so they read back literally (numbers keep their spelling, objects
/// their member order).
extension Report.Diff: Codable {
    private enum CodingKeys: String, CodingKey {
        case path, kind, v1, v2, detail
    }

    /// Reads a diff written by ``encode(to:)``; a value that is not JSON is a data-corrupted error naming it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ key: CodingKeys) throws -> JSONValue? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            do { return try JSONValue(parsing: text) } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "not a JSON value: \(error)")
            }
        }
        self.init(
            path: try container.decode(String.self, forKey: .path),
            kind: try container.decode(FieldDiff.Kind.self, forKey: .kind),
            v1: try value(.v1), v2: try value(.v2),
            detail: try container.decodeIfPresent(String.self, forKey: .detail))
    }

    /// Writes the diff, its values as compact JSON text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(v1?.jsonString(), forKey: .v1)
        try container.encodeIfPresent(v2?.jsonString(), forKey: .v2)
        try container.encodeIfPresent(detail, forKey: .detail)
    }
}
