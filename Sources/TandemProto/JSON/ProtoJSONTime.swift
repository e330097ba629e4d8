/// The JSON forms of `google.protobuf.Timestamp` (RFC 3339) and `google.protobuf.Duration` (`"1.5s"`), and the civil
/// calendar behind them, which Tandem's own RFC 3339 timestamps share.
package enum ProtoJSONTime {
    /// Seconds of 0001-01-01T00:00:00Z, the earliest Timestamp (timestamp.proto).
    static let minTimestampSeconds: Int64 = -62_135_596_800
    /// Seconds of 9999-12-31T23:59:59Z, the latest Timestamp.
    static let maxTimestampSeconds: Int64 = 253_402_300_799
    /// About 10,000 years, the Duration range (duration.proto).
    static let maxDurationSeconds: Int64 = 315_576_000_000

    // MARK: Civil calendar (proleptic Gregorian; H. Hinnant's days_from_civil / civil_from_days)

    /// Days from 1970-01-01 to `year`-`month`-`day`.
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    package static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Timestamp

    /// `YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)`, within 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z.
    static func parseTimestamp(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var value: Int64 = 0
            for k in i..<(i + count) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[k] - 0x30)
            }
            i += count
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("T"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var nanos: Int64 = 0
        if expect(".") {
            guard let fraction = Self.fractionNanos(b, at: &i) else { return nil }
            nanos = fraction
        }
        var offset: Int64 = 0
        if expect("Z") {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHours = digits(2), expect(":"), let offsetMinutes = digits(2), offsetHours <= 23,
                offsetMinutes <= 59
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard seconds >= minTimestampSeconds && seconds <= maxTimestampSeconds else { return nil }
        return (seconds, Int32(nanos))
    }

    /// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, or `nil` when out of range.
    static func formatTimestamp(seconds: Int64, nanos: Int32) -> String? {
        guard seconds >= minTimestampSeconds && seconds <= maxTimestampSeconds, nanos >= 0 && nanos <= 999_999_999
        else { return nil }
        return dateTime(seconds: seconds) + fraction(nanos) + "Z"
    }

    /// `YYYY-MM-DDThh:mm:ss` in UTC, `seconds` after the Unix epoch.
    package static func dateTime(seconds: Int64) -> String {
        let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - dayNumber * 86_400
        let (year, month, day) = civil(days: dayNumber)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    // MARK: Duration

    /// `-?\d+(\.\d{1,9})?s` within ±315,576,000,000 s; the nanos take the sign of the whole.
    static func parseDuration(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        var b = Array(text.utf8)
        guard b.last == UInt8(ascii: "s") else { return nil }
        b.removeLast()
        var i = 0
        var negative = false
        if i < b.count && b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var seconds: Int64 = 0
        var secondDigits = 0
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
            guard secondDigits < 12 else { return nil }
            seconds = seconds * 10 + Int64(b[i] - 0x30)
            secondDigits += 1
            i += 1
        }
        guard secondDigits > 0 else { return nil }
        var nanos: Int64 = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            guard let fraction = fractionNanos(b, at: &i) else { return nil }
            nanos = fraction
        }
        guard i == b.count, seconds <= maxDurationSeconds else { return nil }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }

    /// `"1.5s"`, `"-0.000000001s"`, with 0, 3, 6 or 9 fractional digits, or `nil` when out of range or when seconds
    /// and nanos disagree in sign.
    static func formatDuration(seconds: Int64, nanos: Int32) -> String? {
        guard seconds >= -maxDurationSeconds && seconds <= maxDurationSeconds, nanos > -1_000_000_000,
            nanos < 1_000_000_000, !(seconds < 0 && nanos > 0), !(seconds > 0 && nanos < 0)
        else { return nil }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + fraction(Int32(nanos.magnitude)) + "s"
    }

    /// The 1 to 9 fractional digits at `i` (after the dot) as nanoseconds, moving `i` past them; nil for none or
    /// more than nine.
    private static func fractionNanos(_ b: [UInt8], at i: inout Int) -> Int64? {
        var nanos: Int64 = 0
        var count = 0
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
            guard count < 9 else { return nil }
            nanos = nanos * 10 + Int64(b[i] - 0x30)
            count += 1
            i += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<9 { nanos *= 10 }
        return nanos
    }

    private static func fraction(_ nanos: Int32) -> String {
        if nanos == 0 { return "" }
        if nanos % 1_000_000 == 0 { return "." + pad(Int64(nanos / 1_000_000), 3) }
        if nanos % 1000 == 0 { return "." + pad(Int64(nanos / 1000), 6) }
        return "." + pad(Int64(nanos), 9)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    package static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
