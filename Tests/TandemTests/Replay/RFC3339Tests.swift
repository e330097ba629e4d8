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
