/// Number text: JSON number syntax checks and shortest round-trip formatting of floating-point values.
enum JSONNumberText {
    /// The shortest decimal text that reads back as exactly `value`, in JSON number syntax (finite values only).
    static func shortest(_ value: Double) -> String {
        // Swift's description is the shortest round-tripping form ("1e-05", "1e+16", "0.1", "-0.0"), all of which
        // are valid RFC 8259 numbers; integral values print as "100.0", which is also valid.
        value.description
    }

    /// The shortest decimal text that reads back as exactly `value` as a 32-bit float (finite values only).
    static func shortest(_ value: Float) -> String {
        value.description
    }

    /// Whether `bytes` is exactly one RFC 8259 number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if index != end && bytes[index] == 0x2D { bytes.formIndex(after: &index) }
        guard index != end else { return false }
        if bytes[index] == 0x30 {
            bytes.formIndex(after: &index)
        } else if isDigit(bytes[index]) {
            while index != end && isDigit(bytes[index]) { bytes.formIndex(after: &index) }
        } else {
            return false
        }
        if index != end && bytes[index] == 0x2E {
            bytes.formIndex(after: &index)
            guard index != end && isDigit(bytes[index]) else { return false }
            while index != end && isDigit(bytes[index]) { bytes.formIndex(after: &index) }
        }
        if index != end && (bytes[index] == 0x65 || bytes[index] == 0x45) {
            bytes.formIndex(after: &index)
            if index != end && (bytes[index] == 0x2B || bytes[index] == 0x2D) { bytes.formIndex(after: &index) }
            guard index != end && isDigit(bytes[index]) else { return false }
            while index != end && isDigit(bytes[index]) { bytes.formIndex(after: &index) }
        }
        return index == end
    }
}
