/// Where a value sits inside a JSON document, written as `$.items[2].sku`.
///
/// Keys that are not plain identifiers are written in brackets with JSON string escapes: `$["a b"]`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step from a container to a value inside it.
    public enum Component: Sendable, Hashable {
        /// The member of an object with this key.
        case key(String)
        /// The element of an array at this index.
        case index(Int)
    }

    /// The steps from the document's root, outermost first (empty for the root itself).
    public var components: [Component]

    /// A path made of `components`, outermost first.
    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// The root of a document (`$`).
    public static let root = JSONPath()

    /// This path followed by `component`.
    package func appending(_ component: Component) -> JSONPath {
        JSONPath(components + [component])
    }

    /// `component` followed by this path (used while unwinding from a nested error).
    package func prepending(_ component: Component) -> JSONPath {
        JSONPath([component] + components)
    }

    /// The path as `$.items[2].sku`.
    public var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if Self.isIdentifier(key) {
                    text += "." + key
                } else {
                    text += "["
                    JSONWriter.appendQuoted(key, to: &text)
                    text += "]"
                }
            }
        }
        return text
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        for byte in key.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x40: continue
            default: return false
            }
        }
        return true
    }
}
