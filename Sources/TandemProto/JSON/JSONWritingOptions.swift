/// How a ``JSONValue`` is written out.
public struct JSONWritingOptions: Sendable, Hashable {
    /// Whether to write one member or element a line, indented; otherwise no whitespace at all.
    public var pretty: Bool
    /// How many spaces each nesting level is indented by when ``pretty`` is set.
    public var indent: Int

    /// Creates options; the defaults write compact JSON.
    public init(pretty: Bool = false, indent: Int = 2) {
        self.pretty = pretty
        self.indent = indent
    }
}
