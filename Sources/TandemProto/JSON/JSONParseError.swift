/// A JSON document could not be read: what was wrong, the byte offset where it was found, and the path of the
/// value being read.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong with the document.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A character that cannot start or continue a value here (including trailing commas and content after the
        /// document).
        public static let syntax = Code(rawValue: "syntax")
        /// The document ended inside a value.
        public static let unexpectedEnd = Code(rawValue: "unexpectedEnd")
        /// A number that does not follow RFC 8259 number syntax (`01`, `1.`, `+1`, `.5`).
        public static let invalidNumber = Code(rawValue: "invalidNumber")
        /// A backslash escape that RFC 8259 does not define, or a malformed `\u` escape.
        public static let invalidEscape = Code(rawValue: "invalidEscape")
        /// A `\u` escape of a UTF-16 surrogate that is not part of a high-low pair.
        public static let loneSurrogate = Code(rawValue: "loneSurrogate")
        /// Bytes that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(rawValue: "invalidUTF8")
        /// An unescaped control character (below U+0020) inside a string.
        public static let controlCharacter = Code(rawValue: "controlCharacter")
        /// An object with two members of the same key.
        public static let duplicateKey = Code(rawValue: "duplicateKey")
        /// Containers nested deeper than the depth limit.
        public static let depthLimit = Code(rawValue: "depthLimit")
    }

    /// What was wrong with the document.
    public let code: Code
    /// The byte offset (from 0) in the document where the problem was found.
    public let offset: Int
    /// The path of the value being read when the problem was found.
    public var path: JSONPath
    /// What was found and what was expected.
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, offset: Int, path: JSONPath = .root, detail: String) {
        self.code = code
        self.offset = offset
        self.path = path
        self.detail = detail
    }

    /// The error as one line: `duplicateKey at $.items[2].sku (offset 41): ...`.
    public var description: String {
        "\(code.rawValue) at \(path) (offset \(offset)): \(detail)"
    }

    func prepending(_ component: JSONPath.Component) -> JSONParseError {
        var copy = self
        copy.path = path.prepending(component)
        return copy
    }
}
