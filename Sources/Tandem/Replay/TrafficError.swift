/// A traffic line that cannot be used, with its line number and what is wrong with it.
public struct TrafficError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The traffic file (or `-` for standard input).
    public var file: String
    /// The 1-based line number.
    public var line: Int
    /// The key the line is about, when known.
    public var key: String?
    /// What is wrong.
    public var reason: String

    /// Creates a traffic error.
    public init(file: String, line: Int, key: String? = nil, reason: String) {
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
