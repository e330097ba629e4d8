import Foundation
import Testing

@testable import Tandem

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(arguments: ["2026-11-27T10:15:00+99:99", "2026-11-27T10:15:00+24:00", "2026-11-27T10:15:00-01:60"])
    func anOffsetOutOfRangeIsRefused(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func offsetsInRangeShiftTheInstant() throws {
        let utc = try #require(RFC3339.parse("2026-11-27T10:15:00Z"))
        #expect(RFC3339.parse("2026-11-27T11:45:00+01:30") == utc)
        #expect(RFC3339.parse("2026-11-27T00:16:00-09:59") == utc.addingTimeInterval(0))
    }
}

@Suite("RFC 3339 formatting")
struct RFC3339FormatTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_764_238_500.123_9, "2025-11-27T10:15:00.123Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000Z"),
        (-0.001, "1969-12-31T23:59:59.999Z"),
        (-86_400.5, "1969-12-30T23:59:59.500Z"),
        (253_402_300_799.0, "9999-12-31T23:59:59.000Z"),
    ])
    func formatsMillisecondsInUTC(seconds: Double, text: String) {
        #expect(RFC3339.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func formatAndParseRoundTripToTheMillisecond() throws {
        var rng = SplitMix64(seed: 3339)
        for _ in 0..<1000 {
            let millis = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &rng)
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let parsed = try #require(RFC3339.parse(RFC3339.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0011, "\(millis)")
        }
    }
}
