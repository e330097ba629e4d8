import TandemProto

/// A traffic line that cannot be used, with its line number and what is wrong with it.
public struct TrafficError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The line is not a traffic operation (bad JSON, an unknown key, a missing field, too long): counted and
        /// skipped.
        public static let badLine = Code(rawValue: "badLine")
        /// The line is well formed but the engine refused it (a v2 payload that does not decode, a bad key).
        public static let rejected = Code(rawValue: "rejected")
        /// The traffic file cannot be opened (line 0).
        public static let unreadable = Code(rawValue: "unreadable")
    }

    /// What is wrong.
    public var code: Code
    /// The traffic file (or `-` for standard input).
    public var file: String
    /// The 1-based line number.
    public var line: Int
    /// The key the line is about, when known.
    public var key: String?
    /// What is wrong.
    public var reason: String

    /// Creates a traffic error.
    public init(_ code: Code = .badLine, file: String, line: Int, key: String? = nil, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    /// `file:line: reason` (with the key when known).
    public var description: String {
        "\(file):\(line): " + (key.map { "key \"\($0)\": " } ?? "") + reason
    }
}
