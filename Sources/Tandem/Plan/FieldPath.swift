/// A dotted path of field names into nested messages (`profile.display_name`, `[acme.note]` for an extension).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The field names, outermost first.
    public let components: [String]

    /// Creates a path from its field names.
    public init(_ components: [String]) {
        self.components = components
    }

    /// Parses a dotted path (`profile.display_name`); an extension is named as protobuf's text format names it, its
    /// full name in brackets, dots and all (`[acme.note]`, `address.[acme.geo.plus_code]`). Empty components are
    /// kept so that validation rejects them.
    public init(parsing text: String) {
        var components: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "[": depth += 1
            case "]": depth = max(0, depth - 1)
            case "." where depth == 0:
                components.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        components.append(current)
        self.components = components
    }

    /// Parses a dotted path literal.
    public init(stringLiteral value: String) {
        self.init(parsing: value)
    }

    /// The dotted form.
    public var description: String { components.joined(separator: ".") }
}
