import TandemProto

/// The path syntax of diffs (DESIGN 4): `a.b`, `tags[2]`, `attrs["k"]`, `attrs[7]`, `$` for the record, and
/// `[acme.note]` for an extension field (its full name in brackets, as protobuf's text format names it).
enum DiffPath {
    /// The whole record.
    static let root = "$"

    static func field(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : prefix + "." + name
    }

    static func index(_ prefix: String, _ index: Int) -> String {
        prefix + "[" + String(index) + "]"
    }

    /// A map key: strings quoted and escaped as JSON strings, integers in decimal, bools as `true`/`false`.
    static func key(_ prefix: String, _ key: ProtoValue) -> String {
        prefix + "[" + keyText(key) + "]"
    }

    static func keyText(_ key: ProtoValue) -> String {
        switch key {
        case .string(let text): return quoted(text)
        case .bytes(let bytes): return quoted(String(decoding: bytes, as: UTF8.self))
        case .bool(let flag): return flag ? "true" : "false"
        default:
            if let integer = IntegerValue.of(key) { return String(integer) }
            if case .enumValue(let number) = key { return String(number) }
            return "?"
        }
    }

    /// `text` as a JSON string literal: map keys in paths are spelled as JSON spells them.
    private static func quoted(_ text: String) -> String {
        var out = ""
        JSONWriter.appendQuoted(text, to: &out)
        return out
    }

    /// The path with every index and map key replaced by `*` (`scores[*]`, `attrs[*].v`), as mismatch groups
    /// name fields.
    static func normalized(_ path: String) -> String {
        rewriteBrackets(path, replacement: "[*]")
    }

    /// The path's field names only (`contacts[1].email` -> `contacts.email`): what plan paths (ignore, unordered,
    /// redact) name.
    static func schemaPath(_ path: String) -> String {
        rewriteBrackets(path, replacement: "")
    }

    private static func rewriteBrackets(_ path: String, replacement: String) -> String {
        var out = ""
        var scalars = path.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "[" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            if out.isEmpty || out.hasSuffix(".") {
                // A bracket that starts a component is an extension's name (`[acme.note]`), kept as it is.
                out.unicodeScalars.append(scalar)
                while let inner = scalars.next() {
                    out.unicodeScalars.append(inner)
                    if inner == "]" { break }
                }
                continue
            }
            // An index or map key: skip to the matching `]`; a quoted key may itself hold `]` or escaped quotes.
            var inString = false
            var escaped = false
            while let inner = scalars.next() {
                if inString {
                    if escaped {
                        escaped = false
                    } else if inner == "\\" {
                        escaped = true
                    } else if inner == "\"" {
                        inString = false
                    }
                } else if inner == "\"" {
                    inString = true
                } else if inner == "]" {
                    break
                }
            }
            out += replacement
        }
        return out
    }
}
