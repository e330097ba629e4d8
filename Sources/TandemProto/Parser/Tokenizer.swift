/// Splits `.proto` text into tokens the way protoc's tokenizer does: `//` and `/* */` comments, C-style string
/// escapes, decimal/octal/hex integers, floats with exponents, and tab stops of 8 for columns.
struct Tokenizer {
    private let input: [UInt8]
    private let file: String
    private var offset = 0
    private var line = 0
    private var column = 0

    init(_ input: [UInt8], file: String) {
        self.input = input
        self.file = file
    }

    /// All tokens, ending with one `.end` token.
    mutating func tokenize() throws(ProtoError) -> [Token] {
        var tokens: [Token] = []
        while true {
            try skipWhitespaceAndComments()
            guard offset < input.count else {
                tokens.append(Token(kind: .end, text: "", line: line, column: column))
                return tokens
            }
            tokens.append(try nextToken())
        }
    }

    private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> ProtoError {
        ProtoError(
            .syntax, at: SourceLocation(file: file, line: (line ?? self.line) + 1, column: (column ?? self.column) + 1),
            message)
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let i = offset + ahead
        return i < input.count ? input[i] : nil
    }

    private mutating func advance() {
        guard offset < input.count else { return }
        let byte = input[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 0
        } else if byte == UInt8(ascii: "\t") {
            column += 8 - (column % 8)
        } else {
            column += 1
        }
    }

    private mutating func skipWhitespaceAndComments() throws(ProtoError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                advance()
            } else if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while let b = peek(), b != UInt8(ascii: "\n") { advance() }
            } else if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let startLine = line
                let startColumn = column
                advance()
                advance()
                var closed = false
                while let b = peek() {
                    if b == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        closed = true
                        break
                    }
                    advance()
                }
                if !closed {
                    throw error("End-of-file inside block comment.", line: startLine, column: startColumn)
                }
            } else {
                return
            }
        }
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    private mutating func nextToken() throws(ProtoError) -> Token {
        let startLine = line
        let startColumn = column
        let start = offset
        guard let byte = peek() else { return Token(kind: .end, text: "", line: line, column: column) }
        func text() -> String { String(decoding: input[start..<offset], as: UTF8.self) }

        if Self.isLetter(byte) {
            while let b = peek(), Self.isLetter(b) || Self.isDigit(b) { advance() }
            return Token(kind: .identifier, text: text(), line: startLine, column: startColumn)
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            return try number(startLine: startLine, startColumn: startColumn, start: start)
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            return try string(quote: byte, startLine: startLine, startColumn: startColumn)
        }
        if byte < 0x20 || byte >= 0x7F {
            throw error("Invalid control characters encountered in text.")
        }
        advance()
        return Token(kind: .symbol, text: text(), line: startLine, column: startColumn)
    }

    private mutating func number(startLine: Int, startColumn: Int, start: Int) throws(ProtoError) -> Token {
        var isFloat = false
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            advance()
            advance()
            guard let h = peek(), Self.isHexDigit(h) else {
                throw error("\"0x\" must be followed by hex digits.")
            }
            while let b = peek(), Self.isHexDigit(b) { advance() }
        } else {
            while let b = peek(), Self.isDigit(b) { advance() }
            if peek() == UInt8(ascii: ".") {
                isFloat = true
                advance()
                while let b = peek(), Self.isDigit(b) { advance() }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                isFloat = true
                advance()
                if let s = peek(), s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { advance() }
                guard let d = peek(), Self.isDigit(d) else {
                    throw error("\"e\" must be followed by exponent.")
                }
                while let b = peek(), Self.isDigit(b) { advance() }
            }
        }
        if let b = peek(), Self.isLetter(b) {
            throw error("Need space between number and identifier.")
        }
        let text = String(decoding: input[start..<offset], as: UTF8.self)
        if !isFloat && text.count > 1 && text.hasPrefix("0") && !text.hasPrefix("0x") && !text.hasPrefix("0X") {
            if text.utf8.contains(where: { $0 == UInt8(ascii: "8") || $0 == UInt8(ascii: "9") }) {
                throw error(
                    "Numbers starting with leading zero must be in octal.", line: startLine, column: startColumn)
            }
        }
        return Token(kind: isFloat ? .float : .integer, text: text, line: startLine, column: startColumn)
    }

    private mutating func string(quote: UInt8, startLine: Int, startColumn: Int) throws(ProtoError) -> Token {
        advance()
        var bytes: [UInt8] = []
        let contentStart = offset
        while true {
            guard let b = peek() else {
                throw error("Unexpected end of string.", line: startLine, column: startColumn)
            }
            if b == quote {
                let text = String(decoding: input[contentStart..<offset], as: UTF8.self)
                advance()
                return Token(kind: .string, text: text, line: startLine, column: startColumn, bytes: bytes)
            }
            if b == UInt8(ascii: "\n") {
                throw error("String literals cannot cross line boundaries.")
            }
            if b == UInt8(ascii: "\\") {
                advance()
                try escape(into: &bytes)
                continue
            }
            bytes.append(b)
            advance()
        }
    }

    private static func hexValue(_ b: UInt8) -> UInt32 {
        if b >= 0x30 && b <= 0x39 { return UInt32(b - 0x30) }
        if b >= 0x61 && b <= 0x66 { return UInt32(b - 0x61 + 10) }
        return UInt32(b - 0x41 + 10)
    }

    /// One escape after a backslash (protobuf language spec, "String literals").
    private mutating func escape(into bytes: inout [UInt8]) throws(ProtoError) {
        guard let c = peek() else { throw error("Unexpected end of string.") }
        switch c {
        case UInt8(ascii: "a"):
            bytes.append(0x07)
            advance()
        case UInt8(ascii: "b"):
            bytes.append(0x08)
            advance()
        case UInt8(ascii: "f"):
            bytes.append(0x0C)
            advance()
        case UInt8(ascii: "n"):
            bytes.append(0x0A)
            advance()
        case UInt8(ascii: "r"):
            bytes.append(0x0D)
            advance()
        case UInt8(ascii: "t"):
            bytes.append(0x09)
            advance()
        case UInt8(ascii: "v"):
            bytes.append(0x0B)
            advance()
        case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "\""):
            bytes.append(c)
            advance()
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value: UInt32 = 0
            var count = 0
            while count < 3, let d = peek(), d >= UInt8(ascii: "0") && d <= UInt8(ascii: "7") {
                value = value * 8 + UInt32(d - 0x30)
                advance()
                count += 1
            }
            bytes.append(UInt8(truncatingIfNeeded: value))
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            advance()
            var value: UInt32 = 0
            var count = 0
            while count < 2, let d = peek(), Self.isHexDigit(d) {
                value = value * 16 + Self.hexValue(d)
                advance()
                count += 1
            }
            if count == 0 { throw error("Expected hex digits for escape sequence.") }
            bytes.append(UInt8(value))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = c == UInt8(ascii: "u") ? 4 : 8
            advance()
            var value: UInt32 = 0
            for _ in 0..<digits {
                guard let d = peek(), Self.isHexDigit(d) else {
                    throw error("Expected four hex digits for \\u escape sequence.")
                }
                value = value &* 16 &+ Self.hexValue(d)
                advance()
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw error("Invalid Unicode code point in escape sequence.")
            }
            bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("Invalid escape sequence in string literal.")
        }
    }
}
