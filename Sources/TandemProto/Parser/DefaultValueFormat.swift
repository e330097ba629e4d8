import Foundation

/// Text forms protoc writes into `FieldDescriptorProto.default_value` (and uses for escaping), reproduced exactly.
enum DefaultValueFormat {
    /// protoc's `CEscape`: `\n \r \t \" \' \\` named, other bytes outside printable ASCII as three octal digits.
    static func cEscape(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x22: out += "\\\""
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "\\"
                out.unicodeScalars.append(Unicode.Scalar(0x30 + (byte >> 6)))
                out.unicodeScalars.append(Unicode.Scalar(0x30 + ((byte >> 3) & 7)))
                out.unicodeScalars.append(Unicode.Scalar(0x30 + (byte & 7)))
            }
        }
        return out
    }

    /// protoc's `SimpleDtoa`: the shortest of `%.15g` and `%.17g` that reads back to the same double.
    static func double(_ value: Double) -> String {
        if value == .infinity { return "inf" }
        if value == -.infinity { return "-inf" }
        if value.isNaN { return "nan" }
        let short = String(format: "%.15g", value)
        // protoc's round-trip check parses with strtod, which reports subnormal results as a range error, so
        // subnormals always take the long form.
        if !value.isSubnormal, Double(short) == value { return short }
        return String(format: "%.17g", value)
    }

    /// protoc's `SimpleFtoa`: the shortest of `%.6g` and `%.9g` that reads back to the same float.
    static func float(_ value: Float) -> String {
        if value == .infinity { return "inf" }
        if value == -.infinity { return "-inf" }
        if value.isNaN { return "nan" }
        let short = String(format: "%.6g", Double(value))
        if !value.isSubnormal, Float(short) == value { return short }
        return String(format: "%.9g", Double(value))
    }
}
