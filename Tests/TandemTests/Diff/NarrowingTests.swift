import Foundation
import TandemProto
import Testing

@testable import Tandem

/// Found by FuzzTranscoder: a v2 value that its v1 field cannot hold (an int64 beyond int32's range) is not projected
/// (the v1 field stays unset, so a v1 reader sees 0), and the comparison reports it as changed, never as equal
/// (DESIGN 4: integers compare by value across widths). A value v1 can hold compares equal.
@Suite("Narrowed integers")
struct NarrowingTests {
    static func orders() throws -> (MigrationPlan, DiffEngine) {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("orders"))
        return (plan, DiffEngine(plan: plan))
    }

    @Test func anInt64ThatAnInt32CannotHoldIsReportedAsChanged() throws {
        let (plan, engine) = try Self.orders()
        // total_cents (field 6) = 0x7FFF_FFFF_FFFF_FFFE, the fuzzer's input.
        let v2: [UInt8] = [0x30, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        let decoded = try DynamicMessage(decoding: v2, as: plan.v2Message, schema: plan.v2.schema)
        let shadow = engine.projection.project(decoded).message.serializedBytes()
        let comparison = try #require(engine.compare(shadowPayload: shadow, primaryPayload: v2))
        #expect(comparison.diffs.map(\.path) == ["total_cents"])
        #expect(comparison.diffs.first?.kind == .changed)
        #expect(comparison.diffs.first?.v1 == nil, "\(comparison.diffs)")
        #expect(comparison.diffs.first?.v2 == .proto(.int64(0x7FFF_FFFF_FFFF_FFFE)))
    }

    @Test func anInt64ThatFitsCompareEqual() throws {
        let (plan, engine) = try Self.orders()
        let v2: [UInt8] = [0x30, 0xAC, 0x02]  // total_cents = 300
        let decoded = try DynamicMessage(decoding: v2, as: plan.v2Message, schema: plan.v2.schema)
        let shadow = engine.projection.project(decoded).message.serializedBytes()
        #expect(try #require(engine.compare(shadowPayload: shadow, primaryPayload: v2)).diffs.isEmpty)
    }

    /// Found by FuzzTranscoder: a Timestamp whose milliseconds overflow an int64 (its seconds are far outside the valid
    /// range) cannot be a `created_ms`; the field stays unset and the comparison reports it.
    @Test func aTimestampWhoseMillisecondsOverflowIsReportedAsChanged() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let engine = DiffEngine(plan: plan)
        var seconds: [UInt8] = []
        var value = UInt64(bitPattern: -5_480_934_074_433_007_237)
        while value >= 0x80 {
            seconds.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        seconds.append(UInt8(value))
        let timestamp: [UInt8] = [0x08] + seconds
        let v2: [UInt8] = [0x0A, 0x01, 0x61, 0x1A, UInt8(timestamp.count)] + timestamp
        let decoded = try DynamicMessage(decoding: v2, as: plan.v2Message, schema: plan.v2.schema)
        let shadow = engine.projection.project(decoded).message.serializedBytes()
        let comparison = try #require(engine.compare(shadowPayload: shadow, primaryPayload: v2))
        #expect(comparison.diffs.map(\.path) == ["created_ms"], "\(comparison.diffs)")
        #expect(comparison.diffs.first?.kind == .changed)
        #expect(comparison.diffs.first?.v1 == nil)
    }
}
