/// A position in a `.proto` file: 1-based line and column, as protoc prints them (tabs advance to the next
/// multiple of 8, as protoc's tokenizer counts them).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as named in the pool (relative to its import root).
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
