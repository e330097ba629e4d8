/// Reading and writing scalar values in their ProtoJSON forms (protobuf.dev, "ProtoJSON Format", JSON mapping table).
enum ProtoJSONScalars {
    /// An integer read exactly from decimal text.
    enum IntegerReading {
        case value(negative: Bool, magnitude: UInt64)
        case notIntegral
        case tooLarge
        case malformed
    }

    /// Reads JSON number text as an exact integer: `1e2` and `1.0` are integers, `1.5` is not. No rounding
    /// through `Double`, so every 64-bit value is exact.
    static func integer(fromNumberText text: String) -> IntegerReading {
        let utf8 = Array(text.utf8)
        guard JSONNumberText.isValid(utf8) else { return .malformed }
        var index = 0
        var negative = false
        if utf8[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var digits: [UInt8] = []
        var fractionCount = 0
        while index < utf8.count, utf8[index] >= 0x30 && utf8[index] <= 0x39 {
            digits.append(utf8[index] - 0x30)
            index += 1
        }
        if index < utf8.count && utf8[index] == UInt8(ascii: ".") {
            index += 1
            while index < utf8.count, utf8[index] >= 0x30 && utf8[index] <= 0x39 {
                digits.append(utf8[index] - 0x30)
                fractionCount += 1
                index += 1
            }
        }
        var exponent = 0
        if index < utf8.count {
            index += 1  // 'e' or 'E'
            var exponentNegative = false
            if utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                exponentNegative = utf8[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < utf8.count {
                // Clamped: anything this large is out of every range, or zero.
                exponent = min(exponent * 10 + Int(utf8[index] - 0x30), 100_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        // Drop leading zeros; the value is digits × 10^scale.
        let firstNonZero = digits.firstIndex { $0 != 0 } ?? digits.count
        digits.removeFirst(firstNonZero)
        if digits.isEmpty { return .value(negative: negative, magnitude: 0) }
        var scale = exponent - fractionCount
        while scale < 0 {
            guard let last = digits.last else { return .notIntegral }
            guard last == 0 else { return .notIntegral }
            digits.removeLast()
            scale += 1
        }
        guard digits.count + scale <= 20 else { return .tooLarge }
        var magnitude: UInt64 = 0
        for digit in digits + Array(repeating: 0, count: scale) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return .tooLarge }
            magnitude = sum
        }
        return .value(negative: negative, magnitude: magnitude)
    }

    /// The text of a number for an integer field: a JSON number, or a string holding one (ProtoJSON accepts both
    /// for every integer type).
    static func integerText(_ json: JSONValue, typeName: String) throws(ProtoJSONError) -> String {
        switch json {
        case .number(let text): return text
        case .string(let text): return text
        default:
            throw ProtoJSONError(
                .wrongType,
                detail: "expected a number or a numeric string for \(typeName), found \(json.kindDescription)")
        }
    }

    static func readInteger(_ json: JSONValue, typeName: String) throws(ProtoJSONError) -> (
        negative: Bool, magnitude: UInt64
    ) {
        let text = try integerText(json, typeName: typeName)
        switch integer(fromNumberText: text) {
        case .value(let negative, let magnitude): return (negative, magnitude)
        case .notIntegral: throw ProtoJSONError(.invalidNumber, detail: "\(text) is not an integer (\(typeName))")
        case .tooLarge: throw ProtoJSONError(.outOfRange, detail: "\(text) is out of range for \(typeName)")
        case .malformed: throw ProtoJSONError(.invalidNumber, detail: "\"\(text)\" is not a number (\(typeName))")
        }
    }

    static func int32(_ json: JSONValue) throws(ProtoJSONError) -> Int32 {
        let (negative, magnitude) = try readInteger(json, typeName: "int32")
        if negative {
            guard magnitude <= UInt64(Int32.max) + 1 else { throw outOfRange(json, "int32") }
            return Int32(truncatingIfNeeded: 0 &- Int64(magnitude))
        }
        guard magnitude <= UInt64(Int32.max) else { throw outOfRange(json, "int32") }
        return Int32(magnitude)
    }

    static func int64(_ json: JSONValue) throws(ProtoJSONError) -> Int64 {
        let (negative, magnitude) = try readInteger(json, typeName: "int64")
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw outOfRange(json, "int64") }
            return Int64(bitPattern: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw outOfRange(json, "int64") }
        return Int64(magnitude)
    }

    static func uint32(_ json: JSONValue) throws(ProtoJSONError) -> UInt32 {
        let (negative, magnitude) = try readInteger(json, typeName: "uint32")
        guard !negative || magnitude == 0, magnitude <= UInt64(UInt32.max) else { throw outOfRange(json, "uint32") }
        return UInt32(magnitude)
    }

    static func uint64(_ json: JSONValue) throws(ProtoJSONError) -> UInt64 {
        let (negative, magnitude) = try readInteger(json, typeName: "uint64")
        guard !negative || magnitude == 0 else { throw outOfRange(json, "uint64") }
        return magnitude
    }

    private static func outOfRange(_ json: JSONValue, _ typeName: String) -> ProtoJSONError {
        let text: String
        switch json {
        case .number(let t), .string(let t): text = t
        default: text = json.kindDescription
        }
        return ProtoJSONError(.outOfRange, detail: "\(text) is out of range for \(typeName)")
    }

    /// A `double`: a number, or a string holding a number, `"NaN"`, `"Infinity"` or `"-Infinity"`. Numbers too
    /// large for a double are out of range, not infinity.
    static func double(_ json: JSONValue) throws(ProtoJSONError) -> Double {
        let text = try floatingText(json, typeName: "double")
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        guard let value = Double(text), value.isFinite else {
            throw ProtoJSONError(.outOfRange, detail: "\(text) is out of range for double")
        }
        return value
    }

    /// A `float`, read with float rounding (not through `Double`, which could round twice).
    static func float(_ json: JSONValue) throws(ProtoJSONError) -> Float {
        let text = try floatingText(json, typeName: "float")
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        guard let value = Float(text), value.isFinite else {
            throw ProtoJSONError(.outOfRange, detail: "\(text) is out of range for float")
        }
        return value
    }

    private static func floatingText(_ json: JSONValue, typeName: String) throws(ProtoJSONError) -> String {
        switch json {
        case .number(let text): return text
        case .string(let text):
            if text == "NaN" || text == "Infinity" || text == "-Infinity" { return text }
            guard JSONNumberText.isValid(text.utf8) else {
                throw ProtoJSONError(.invalidNumber, detail: "\"\(text)\" is not a number (\(typeName))")
            }
            return text
        default:
            throw ProtoJSONError(
                .wrongType,
                detail: "expected a number or a numeric string for \(typeName), found \(json.kindDescription)")
        }
    }

    /// A `double` written as ProtoJSON: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    static func json(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(JSONNumberText.shortest(value))
    }

    /// A `float` written as ProtoJSON, in the shortest form that reads back as the same float.
    static func json(_ value: Float) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(JSONNumberText.shortest(value))
    }
}
