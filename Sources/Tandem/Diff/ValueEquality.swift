import TandemProto

/// Scalar equality as DESIGN 4 defines it: integers by value across widths and signedness, enums by number,
/// strings by UTF-8 bytes, bytes exactly, floats with NaN == NaN, -0 == 0, equal values (infinities included)
/// equal, and only then the absolute tolerance for finite values.
enum ValueEquality {
    static func scalarsEqual(_ a: ProtoValue, _ b: ProtoValue, tolerance: Double) -> Bool {
        switch (a, b) {
        // The common same-case comparisons first, without copying any bytes.
        case (.string(let x), .string(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.bytes(let x), .bytes(let y)):
            return x == y
        case (.int64(let x), .int64(let y)):
            return x == y
        case (.int32(let x), .int32(let y)):
            return x == y
        case (.float, _), (.double, _), (_, .float), (_, .double):
            guard let x = a.doubleValue, let y = b.doubleValue else { return false }
            return floatsEqual(x, y, tolerance: tolerance)
        case (.enumValue(let x), .enumValue(let y)):
            return x == y
        case (.bool(let x), .bool(let y)):
            return x == y
        case (.string(let x), .bytes(let y)):
            return x.utf8.elementsEqual(y)
        case (.bytes(let x), .string(let y)):
            return x.elementsEqual(y.utf8)
        case (.string, _), (.bytes, _):
            return false
        default:
            if let x = IntegerValue.of(a), let y = IntegerValue.of(b) { return x == y }
            return a == b
        }
    }

    static func floatsEqual(_ x: Double, _ y: Double, tolerance: Double) -> Bool {
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        // `==` already treats -0 and 0 as equal, and equal infinities as equal.
        if x == y { return true }
        guard x.isFinite, y.isFinite, tolerance > 0 else { return false }
        return abs(x - y) <= tolerance
    }
}
