import Foundation
import TandemProto

/// RFC 3339 timestamps (`2026-11-27T10:15:00Z`, `2026-11-27T10:15:00.123456+01:00`), parsed without locale or
/// formatter state.
public enum RFC3339 {
    /// The instant `text` names, or nil when it is not an RFC 3339 timestamp.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, let year = digits(0, 4), bytes[4] == 0x2D, let month = digits(5, 2), bytes[7] == 0x2D,
            let day = digits(8, 2), bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
            let hour = digits(11, 2), bytes[13] == 0x3A, let minute = digits(14, 2), bytes[16] == 0x3A,
            let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count && bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            if index == start { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == 0x5A || bytes[index] == 0x7A {
            index += 1
        } else if bytes[index] == 0x2B || bytes[index] == 0x2D {
            guard let oh = digits(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == 0x3A,
                let om = digits(index + 4, 2)
            else { return nil }
            // RFC 3339 section 5.6: time-numoffset is hours 00-23 and minutes 00-59.
            guard oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (bytes[index] == 0x2B ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = ProtoJSONTime.days(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds =
            Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59) - offset)) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// `2026-11-27T10:15:00.123Z` (milliseconds, UTC).
    public static func format(_ date: Date) -> String {
        // Whole microseconds first, so a double just under a millisecond boundary (-0.001 is -0.00100000000000000002)
        // does not print the millisecond before it.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let millis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        return ProtoJSONTime.dateTime(seconds: seconds) + "." + ProtoJSONTime.pad(millis - seconds * 1000, 3) + "Z"
    }
}
