import TandemProto
import Testing

@testable import Tandem

enum RandomRecords {
    static func string(_ rng: inout SplitMix64) -> String {
        let letters = Array("abcxyz\u{e9}\u{1F600} ")
        return String((0..<Int.random(in: 0...6, using: &rng)).map { _ in letters.randomElement(using: &rng) ?? "a" })
    }

    static func double(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return .nan
        case 1: return -0.0
        case 2: return 0
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }

    /// A random v2 record of the fixture, every value representable in v1.
    static func v2Record(_ plan: MigrationPlan, _ rng: inout SplitMix64) throws -> DynamicMessage {
        var m = DiffFixture.v2(plan)
        func maybe(_ body: () throws -> Void) rethrows { if Bool.random(using: &rng) { try body() } }
        try maybe { try m.set(named: "i32", to: .int64(Int64(Int32.random(in: -1000...1000, using: &rng)))) }
        try maybe { try m.set(named: "s", to: .string(string(&rng))) }
        try maybe { try m.set(named: "opt", to: .string(string(&rng))) }
        try maybe { try m.set(named: "d", to: .double(double(&rng))) }
        try maybe { try m.set(named: "f", to: .float(Float(Int.random(in: -100...100, using: &rng)) / 4)) }
        try m.setRepeated(
            6, to: (0..<Int.random(in: 0...4, using: &rng)).map { _ in .int32(Int32.random(in: -5...5, using: &rng)) })
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            try m.setMapValue(.int32(Int32.random(in: 0...9, using: &rng)), forKey: .string(string(&rng)), in: 7)
        }
        try maybe { try m.set(named: "color", to: .enumValue(Int32.random(in: 0...3, using: &rng))) }
        try maybe {
            var ts = try DiffFixture.message("google.protobuf.Timestamp", v2: true, plan)
            try ts.set(named: "seconds", to: .int64(Int64.random(in: -1_000_000...2_000_000_000, using: &rng)))
            try ts.set(named: "nanos", to: .int32(Int32.random(in: 0...999_999_999, using: &rng)))
            try m.set(named: "created", to: .message(ts))
        }
        try maybe {
            var sub = try DiffFixture.message("t.Sub", v2: true, plan)
            try maybe { try sub.set(named: "name", to: .string(string(&rng))) }
            try maybe { try sub.set(named: "extra", to: .string(string(&rng))) }
            try sub.set(named: "n", to: .int32(Int32.random(in: -3...3, using: &rng)))
            try m.set(named: "sub", to: .message(sub))
        }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: try m.set(named: "a", to: .string(string(&rng)))
        case 1: try m.set(named: "b", to: .int32(Int32.random(in: -9...9, using: &rng)))
        default: break
        }
        try m.setRepeated(13, to: (0..<Int.random(in: 0...4, using: &rng)).map { _ in .string(string(&rng)) })
        try maybe {
            try m.set(
                named: "blob",
                to: .bytes((0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            )
        }
        try maybe { try m.set(named: "narrow", to: .int64(Int64(Int32.random(in: .min ... .max, using: &rng)))) }
        try maybe {
            var profile = try DiffFixture.message("t.Profile", v2: true, plan)
            try profile.set(named: "display", to: .string(string(&rng)))
            try m.set(named: "profile", to: .message(profile))
        }
        try maybe { try m.set(named: "mixed", to: .int32(Int32.random(in: -2...2, using: &rng))) }
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            try m.setMapValue(.string(string(&rng)), forKey: .int64(Int64.random(in: -5...5, using: &rng)), in: 18)
        }
        try maybe { try m.set(named: "v2_only", to: .string(string(&rng))) }
        return m
    }

    /// Changes one field of a v1 record; returns the path at which exactly one diff must appear.
    static func mutate(_ m: inout DynamicMessage, _ plan: MigrationPlan, _ rng: inout SplitMix64) throws -> String {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0:
            let value = m.get(named: "i32")?.int64Value ?? 0
            try m.set(named: "i32", to: .int32(Int32(value) + 1))
            return "i32"
        case 1:
            try m.set(named: "s", to: .string((m.get(named: "s")?.stringValue ?? "") + "!"))
            return "s"
        case 2:
            let value = m.get(named: "d")?.doubleValue ?? 0
            try m.set(named: "d", to: .double(value.isNaN ? 1 : value + 1))
            return "d"
        case 3:
            var values = m.repeatedValues(named: "nums")
            guard !values.isEmpty else {
                try m.setRepeated(6, to: [.int32(1)])
                return "nums[0]"
            }
            let index = Int.random(in: 0..<values.count, using: &rng)
            values[index] = .int32(Int32(values[index].int64Value ?? 0) + 100)
            try m.setRepeated(6, to: values)
            return "nums[\(index)]"
        case 4:
            let entries = m.mapEntries(named: "attrs")
            guard let key = entries.keys.sorted(by: { ($0.stringValue ?? "") < ($1.stringValue ?? "") }).first else {
                try m.setMapValue(.int32(1), forKey: .string("new"), in: 7)
                return "attrs[\"new\"]"
            }
            try m.setMapValue(.int32(Int32(entries[key]?.int64Value ?? 0) + 1), forKey: key, in: 7)
            return DiffPath.key("attrs", key)
        case 5:
            let color = m.get(named: "color")?.int64Value ?? 0
            try m.set(named: "color", to: .enumValue(color == 1 ? 2 : 1))
            return "color"
        case 6:
            guard var sub = m.get(named: "sub")?.messageValue, m.has(named: "sub") else {
                try m.set(named: "sub", to: .message(try DiffFixture.message("t.Sub", v2: false, plan)))
                return "sub"
            }
            try sub.set(named: "name", to: .string((sub.get(named: "name")?.stringValue ?? "") + "?"))
            try m.set(named: "sub", to: .message(sub))
            return "sub.name"
        default:
            if m.has(named: "opt") { m.clear(named: "opt") } else { try m.set(named: "opt", to: .string("")) }
            return "opt"
        }
    }
}

struct DiffPropertyTests {
    @Test(arguments: 0..<300 as Range<UInt64>)
    func diffOfARecordWithItselfIsEmpty(seed: UInt64) throws {
        let plan = try DiffFixture.plan()
        var rng = SplitMix64(seed: seed)
        let primary = try RandomRecords.v2Record(plan, &rng)
        let engine = DiffEngine(plan: plan)
        let projected = engine.projection.project(primary)
        let shadow = try DynamicMessage(
            decoding: projected.message.serializedBytes(), as: plan.v1Message, schema: plan.v1.schema)
        #expect(engine.diff(shadow: shadow, primary: projected) == [], "seed \(seed)")
        #expect(engine.diff(shadow: shadow, primary: shadow) == [], "seed \(seed)")
        let comparison = try #require(
            engine.compare(
                shadowPayload: projected.message.serializedBytes(), primaryPayload: primary.serializedBytes()))
        #expect(comparison.isMatch && comparison.usedFastPath, "seed \(seed)")
    }

    @Test(arguments: 0..<300 as Range<UInt64>)
    func oneMutationIsReportedAtExactlyThatPath(seed: UInt64) throws {
        let plan = try DiffFixture.plan()
        var rng = SplitMix64(seed: seed)
        let primary = try RandomRecords.v2Record(plan, &rng)
        let engine = DiffEngine(plan: plan)
        let projected = engine.projection.project(primary)
        var shadow = try DynamicMessage(
            decoding: projected.message.serializedBytes(), as: plan.v1Message, schema: plan.v1.schema)
        let path = try RandomRecords.mutate(&shadow, plan, &rng)
        let diffs = engine.diff(shadow: shadow, primary: projected)
        #expect(diffs.map(\.path) == [path], "seed \(seed): \(diffs)")
    }

    @Test func fastPathNeverDisagreesWithTheFieldWalk() throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        var rng = SplitMix64(seed: 42)
        var fast = 0
        var mismatched = 0
        var matchedByWalk = 0
        for _ in 0..<2000 {
            let primary = try RandomRecords.v2Record(plan, &rng)
            let projected = engine.projection.project(primary)
            var shadowMessage: DynamicMessage
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: shadowMessage = engine.projection.project(try RandomRecords.v2Record(plan, &rng)).message
            case 1:
                shadowMessage = projected.message
                _ = try RandomRecords.mutate(&shadowMessage, plan, &rng)
            default: shadowMessage = projected.message
            }
            var shadowBytes = shadowMessage.serializedBytes()
            // Same record, other encodings: an unknown field, or the fields written twice (last one wins).
            if Bool.random(using: &rng) { shadowBytes += [0xF8, 0x01, 0x01] }
            let comparison = try #require(
                engine.compare(shadowPayload: shadowBytes, primaryPayload: primary.serializedBytes()))
            let walked = engine.diff(
                shadow: try DynamicMessage(decoding: shadowBytes, as: plan.v1Message, schema: plan.v1.schema),
                primary: projected)
            #expect(comparison.diffs == walked)
            if comparison.usedFastPath { fast += 1 }
            if !comparison.isMatch { mismatched += 1 }
            if !comparison.usedFastPath && comparison.isMatch { matchedByWalk += 1 }
        }
        #expect(fast > 100)
        #expect(mismatched > 100)
        #expect(matchedByWalk > 100)
    }
}
