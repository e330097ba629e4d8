/// A strict RFC 8259 reader over UTF-8 bytes.
///
/// Recursive descent; the path of a failing value is built only while an error unwinds, so reading valid documents
/// costs nothing for it. Recursion depth is bounded by `maxDepth`.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maxDepth: Int

    /// The largest depth limit honoured: deeper limits could exhaust a thread's stack.
    static let depthCeiling = 1_000

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = min(max(maxDepth, 0), Self.depthCeiling)
    }

    /// Reads exactly one value surrounded by optional whitespace.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw error(.syntax, "unexpected \(describeByte(at: index)) after the end of the document")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error(.unexpectedEnd, "expected a value, found the end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error(.syntax, "expected a value, found \(describeByte(at: index))")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error(.depthLimit, "nesting deeper than \(maxDepth) levels") }
        index += 1
        skipWhitespace()
        var members: [JSONValue.Member] = []
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        var seen: Set<String>? = nil
        while true {
            guard index < bytes.count else {
                throw error(.unexpectedEnd, "expected a member key, found the end of input")
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error(.syntax, "expected a member key (a string), found \(describeByte(at: index))")
            }
            let keyOffset = index
            let key = try parseString()
            // RFC 8259 §4 leaves duplicate names to the reader; protobuf JSON readers reject them, and so do we.
            if members.count < 16 {
                for member in members where member.key == key {
                    throw JSONParseError(
                        .duplicateKey, offset: keyOffset, path: JSONPath([.key(key)]),
                        detail: "duplicate key \"\(key)\"")
                }
            } else {
                if seen == nil { seen = Set(members.map(\.key)) }
                if seen?.insert(key).inserted == false {
                    throw JSONParseError(
                        .duplicateKey, offset: keyOffset, path: JSONPath([.key(key)]),
                        detail: "duplicate key \"\(key)\"")
                }
            }
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd, "expected ':', found the end of input") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error(.syntax, "expected ':' after a member key, found \(describeByte(at: index))")
                    .prepending(.key(key))
            }
            index += 1
            skipWhitespace()
            let value: JSONValue
            do throws(JSONParseError) {
                value = try parseValue(depth: depth)
            } catch {
                throw error.prepending(.key(key))
            }
            if members.count >= 16 { seen?.insert(key) }
            members.append(JSONValue.Member(key, value))
            skipWhitespace()
            guard index < bytes.count else {
                throw error(.unexpectedEnd, "expected ',' or '}', found the end of input")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw error(.syntax, "expected ',' or '}' in an object, found \(describeByte(at: index))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error(.depthLimit, "nesting deeper than \(maxDepth) levels") }
        index += 1
        skipWhitespace()
        var elements: [JSONValue] = []
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            do throws(JSONParseError) {
                elements.append(try parseValue(depth: depth))
            } catch {
                throw error.prepending(.index(elements.count))
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw error(.unexpectedEnd, "expected ',' or ']', found the end of input")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw error(.syntax, "expected ',' or ']' in an array, found \(describeByte(at: index))")
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard index + count <= bytes.count else {
            throw error(.syntax, "expected '\(literal)', found \(describeByte(at: index))")
        }
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error(.syntax, "expected '\(literal)', found \(describeByte(at: index))")
        }
        index += count
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error(.invalidNumber, "expected a digit after '-'")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) {
                throw error(.invalidNumber, "a number must not have a leading zero")
            }
        } else {
            skipDigits()
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error(.invalidNumber, "expected a digit after the decimal point")
            }
            skipDigits()
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error(.invalidNumber, "expected a digit in the exponent")
            }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always) private mutating func skipDigits() {
        while index < bytes.count && isDigit(bytes[index]) { index += 1 }
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote; strings without escapes are copied once.
    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            } else if byte < 0x20 {
                throw error(.controlCharacter, "unescaped control character U+00\(hex2(byte)) in a string")
            } else if byte < 0x80 {
                index += 1
            } else {
                index += try utf8SequenceLength(at: index)
            }
        }
        throw error(.unexpectedEnd, "unterminated string")
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(index - start + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try appendEscape(to: &buffer)
            } else if byte < 0x20 {
                throw error(.controlCharacter, "unescaped control character U+00\(hex2(byte)) in a string")
            } else if byte < 0x80 {
                buffer.append(byte)
                index += 1
            } else {
                let length = try utf8SequenceLength(at: index)
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
                index += length
            }
        }
        throw error(.unexpectedEnd, "unterminated string")
    }

    /// Decodes the escape at `index` (a backslash) per RFC 8259 §7, pairing UTF-16 surrogates.
    private mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        guard index + 1 < bytes.count else { throw error(.unexpectedEnd, "unterminated escape") }
        let escape = bytes[index + 1]
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeOffset = index
            let unit = try hex4(at: index + 2)
            index += 6
            var scalar: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw JSONParseError(
                        .loneSurrogate, offset: escapeOffset,
                        detail: "high surrogate \\u\(hex4Text(unit)) is not followed by a low surrogate")
                }
                let low = try hex4(at: index + 2)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(
                        .loneSurrogate, offset: escapeOffset,
                        detail:
                            "high surrogate \\u\(hex4Text(unit)) is followed by \\u\(hex4Text(low)), not a low surrogate"
                    )
                }
                index += 6
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONParseError(
                    .loneSurrogate, offset: escapeOffset,
                    detail: "low surrogate \\u\(hex4Text(unit)) without a high surrogate before it")
            default:
                scalar = UInt32(unit)
            }
            appendUTF8(scalar, to: &buffer)
            return
        default:
            throw error(.invalidEscape, "invalid escape '\\\(describeEscape(escape))'")
        }
        index += 2
    }

    private func hex4(at offset: Int) throws(JSONParseError) -> UInt16 {
        guard offset + 4 <= bytes.count else {
            throw JSONParseError(.invalidEscape, offset: offset - 2, detail: "a \\u escape needs four hex digits")
        }
        var value: UInt16 = 0
        for i in offset..<(offset + 4) {
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default:
                throw JSONParseError(.invalidEscape, offset: offset - 2, detail: "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | (scalar >> 6)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | (scalar >> 12)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            buffer.append(UInt8(0xF0 | (scalar >> 18)))
            buffer.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// The length of the well-formed UTF-8 sequence at `offset` (Unicode 15, table 3-7), or an error.
    private func utf8SequenceLength(at offset: Int) throws(JSONParseError) -> Int {
        let lead = bytes[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default:
            throw JSONParseError(
                .invalidUTF8, offset: offset, detail: "byte 0x\(hex2(lead)) cannot start a UTF-8 sequence")
        }
        guard offset + length <= bytes.count else {
            throw JSONParseError(.invalidUTF8, offset: offset, detail: "truncated UTF-8 sequence")
        }
        let second = bytes[offset + 1]
        guard second >= low && second <= high else {
            throw JSONParseError(
                .invalidUTF8, offset: offset + 1, detail: "invalid UTF-8 continuation byte 0x\(hex2(second))")
        }
        if length > 2 {
            for i in (offset + 2)..<(offset + length) where bytes[i] & 0xC0 != 0x80 {
                throw JSONParseError(
                    .invalidUTF8, offset: i, detail: "invalid UTF-8 continuation byte 0x\(hex2(bytes[i]))")
            }
        }
        return length
    }

    // MARK: Helpers

    @inline(__always) private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func error(_ code: JSONParseError.Code, _ detail: String) -> JSONParseError {
        JSONParseError(code, offset: index, detail: detail)
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hex2(byte))"
    }

    private func describeEscape(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return String(Character(Unicode.Scalar(byte))) }
        return "\\x" + hex2(byte)
    }

    private func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    private func hex4Text(_ unit: UInt16) -> String {
        hex2(UInt8(unit >> 8)) + hex2(UInt8(unit & 0xFF))
    }
}
