/// Escaping for XML 1.0 and HTML text and attribute values.
///
/// Every character XML 1.0 forbids (`Char` production, section 2.2: C0 controls other than tab, LF and CR, and
/// U+FFFE/U+FFFF) is replaced with U+FFFD, since no escape can represent it; in HTML mode the C1 controls and the
/// noncharacters, parse errors in HTML (section 13.2.2 "Preprocessing the input stream"), are replaced too.
enum MarkupEscaping {
    /// Where the text goes.
    enum Mode {
        /// XML character data or attribute value (quoted with `"`).
        case xml
        /// HTML character data or attribute value (quoted with `"`).
        case html
    }

    /// `text` with markup characters escaped and forbidden characters replaced, safe in text and in a
    /// double-quoted attribute.
    static func escape(_ text: String, _ mode: Mode) -> String { escape(text, mode, rawWhitespace: false) }

    /// Escapes for character data only, keeping line feeds and tabs raw (readable in `<pre>` and failure texts).
    static func text(_ text: String, _ mode: Mode) -> String { escape(text, mode, rawWhitespace: true) }

    private static func escape(_ text: String, _ mode: Mode, rawWhitespace: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Attribute-value normalisation turns raw tab, LF and CR into spaces, and parsers turn CR into LF in
            // text: character references keep them as they were.
            case "\t": out += rawWhitespace ? "\t" : "&#9;"
            case "\r": out += "&#13;"
            case "\n": out += rawWhitespace ? "\n" : "&#10;"
            default:
                out.unicodeScalars.append(allowed(scalar, mode) ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    static func allowed(_ scalar: Unicode.Scalar, _ mode: Mode) -> Bool {
        let value = scalar.value
        let xml =
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
        guard xml, mode == .html else { return xml }
        let c1 = (0x7F...0x9F).contains(value)
        let nonCharacter = (0xFDD0...0xFDEF).contains(value) || (value & 0xFFFE) == 0xFFFE
        return !c1 && !nonCharacter
    }
}
