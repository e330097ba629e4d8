/// One side (v1 or v2) of a finding: where the element is declared and its full name.
public struct FindingLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file, named as in its pool (relative to its import root), or the plan or descriptor set it came from.
    public var file: String
    /// The 1-based line; 0 when the element has no source location (a descriptor set).
    public var line: Int
    /// The 1-based column; 0 when unknown.
    public var column: Int
    /// The full name of the element (`acme.user.v1.User.created_ms`, `acme.user.v1.Status.ACTIVE`).
    public var element: String

    /// Creates a location.
    public init(file: String, line: Int, column: Int, element: String) {
        self.file = file
        self.line = line
        self.column = column
        self.element = element
    }

    /// `file:line:column element`, or `file element` when the position is unknown.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column) \(element)" : "\(file) \(element)"
    }
}
