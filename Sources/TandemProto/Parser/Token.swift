/// One lexical token of a `.proto` file.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier
        case integer
        case float
        case string
        case symbol
        case end
    }

    var kind: Kind
    /// The token's source text (for strings: the text between the quotes, still escaped).
    var text: String
    /// 0-based line.
    var line: Int
    /// 0-based column.
    var column: Int
    /// For strings: the unescaped bytes.
    var bytes: [UInt8] = []

    /// How the token reads in an error message: `"foo"` or `end of input`.
    var quoted: String {
        switch kind {
        case .end: return "end of input"
        case .string: return "string literal"
        default: return "\"\(text)\""
        }
    }
}
