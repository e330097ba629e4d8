/// A dotted path of field names into nested messages (`profile.display_name`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The field names, outermost first.
    public let components: [String]

    /// Creates a path from its field names.
    public init(_ components: [String]) {
        self.components = components
    }

    /// Parses a dotted path (`profile.display_name`); empty components are kept so that validation rejects them.
    public init(parsing text: String) {
        self.components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// Parses a dotted path literal.
    public init(stringLiteral value: String) {
        self.init(parsing: value)
    }

    /// The dotted form.
    public var description: String { components.joined(separator: ".") }
}
