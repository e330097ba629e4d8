/// A message could not be read from, or written as, proto3 JSON: what was wrong and the JSON path of the value
/// concerned (`$.address.city`).
public struct ProtoJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The text is not JSON (RFC 8259); ``ProtoJSONError/offset`` says where.
        public static let malformedJSON = Code(rawValue: "malformedJSON")
        /// An object has two members with the same key (or a map two keys that read as the same key).
        public static let duplicateKey = Code(rawValue: "duplicateKey")
        /// Arrays and objects are nested deeper than ``ProtoJSONOptions/maxDepth``.
        public static let depthLimit = Code(rawValue: "depthLimit")
        /// A JSON value of the wrong kind for the field (a string for a bool, an array for a message, ...).
        public static let wrongType = Code(rawValue: "wrongType")
        /// A number outside the field type's range (`int32`, `uint64`, float overflow).
        public static let outOfRange = Code(rawValue: "outOfRange")
        /// A number, or a string holding one, that is malformed or not an integer where one is needed.
        public static let invalidNumber = Code(rawValue: "invalidNumber")
        /// A member names no field of the message.
        public static let unknownField = Code(rawValue: "unknownField")
        /// The same field is given twice (by its JSON name and by its `.proto` name).
        public static let duplicateField = Code(rawValue: "duplicateField")
        /// An enum name the enum does not declare (or an undeclared number of a closed enum).
        public static let unknownEnumValue = Code(rawValue: "unknownEnumValue")
        /// Two members of the same oneof are set.
        public static let oneofConflict = Code(rawValue: "oneofConflict")
        /// A `google.protobuf.Timestamp` that is not RFC 3339 or is outside 0001-01-01 to 9999-12-31.
        public static let invalidTimestamp = Code(rawValue: "invalidTimestamp")
        /// A `google.protobuf.Duration` that is malformed or outside ±315,576,000,000 seconds.
        public static let invalidDuration = Code(rawValue: "invalidDuration")
        /// A `bytes` value that is not base64.
        public static let invalidBase64 = Code(rawValue: "invalidBase64")
        /// A `google.protobuf.FieldMask` path that has no JSON form.
        public static let invalidFieldMask = Code(rawValue: "invalidFieldMask")
        /// A `google.protobuf.Any` whose `@type` names a type the schema does not hold.
        public static let unknownAnyType = Code(rawValue: "unknownAnyType")
        /// A `google.protobuf.Any` without `@type`, with a malformed type URL, or whose bytes do not decode.
        public static let invalidAny = Code(rawValue: "invalidAny")
        /// A `google.protobuf.Value` with no kind set or a number JSON cannot hold (NaN, infinity).
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// The message type is not in the schema (for example a field's message type).
        public static let unknownType = Code(rawValue: "unknownType")
    }

    /// What was wrong.
    public let code: Code
    /// The JSON path of the value concerned.
    public var path: JSONPath
    /// The byte offset in the JSON text, for errors found while reading the text itself.
    public let offset: Int?
    /// What was found and what was expected.
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, path: JSONPath = .root, offset: Int? = nil, detail: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.detail = detail
    }

    /// The error as one line: `unknownField at $.address.city: ...`.
    public var description: String {
        let at = offset.map { " (offset \($0))" } ?? ""
        return "\(code.rawValue) at \(path)\(at): \(detail)"
    }

    /// The error for a JSON text that could not be read.
    init(_ error: JSONParseError) {
        let code: Code
        switch error.code {
        case .duplicateKey: code = .duplicateKey
        case .depthLimit: code = .depthLimit
        default: code = .malformedJSON
        }
        self.init(code, path: error.path, offset: error.offset, detail: error.detail)
    }

    func prepending(_ component: JSONPath.Component) -> ProtoJSONError {
        var copy = self
        copy.path = path.prepending(component)
        return copy
    }
}
