// Engine: the cost of comparing one stored pair (shadow v1 bytes, primary v2 bytes), on two plans: user-profile
// (flat, seven fields) and catalog (27 fields: sub-messages copied and picked, repeated messages, maps of messages,
// wrappers, nested converts), against decoding the same two payloads with swift-protobuf generated code. DESIGN
// section 8 asks for the comparison of an equal pair within 2x of that baseline; issue 21 asks for <= 1.0x on both
// plans, and a differing pair <= 4x.
//
// For each plan:
// - equal pair, full path: decode v2, project it to v1, decode v1, diff field by field;
// - mismatching pair, full path: the same with a pair that differs in three compared fields;
// - equal pair, fast path: `DiffEngine.compare(shadowPayload:primaryPayload:)`, which transcodes the v2 bytes into
//   the projection's canonical v1 bytes (no message built on either side) and compares them with the shadow bytes;
// - mismatching pair, compare: the same call on the mismatching pair (the transcoded bytes differ, so both records
//   are decoded and walked).
// Before measuring, each plan's fixture checks that no whitelist entry takes the transcoder's general path and that
// catalog's record is answered by the transcoder's single pass (a regression there would otherwise show only as a
// slower figure).
import Benchmark
import BenchmarkSupport
import Foundation
import SwiftProtobuf
import Tandem
import TandemProto

struct EnginePair: Sendable {
    let name: String
    let plan: MigrationPlan
    let diffEngine: DiffEngine
    let v2: [UInt8]
    let v1Equal: [UInt8]
    let v1Mismatch: [UInt8]
    /// Decodes a v2 and a v1 payload with the plan's generated code.
    let decodeGenerated: @Sendable (_ v2: [UInt8], _ v1: [UInt8]) throws -> Void

    static func userProfile() throws -> EnginePair {
        let plan = try MigrationPlan.load(directory: Repository.path("Migrations/user-profile"))
        let createdAt = Google_Protobuf_Timestamp(seconds: 1_716_912_345, nanos: 678_000_000)
        var v2 = Acme_User_V2_UserProfile()
        v2.id = "u4821337"
        v2.profile.displayName = "Juniper Okonkwo-Lindqvist"
        v2.profile.avatarURL = "https://cdn.example.com/avatars/u4821337/5f2c9a.png"
        v2.createdAt = createdAt
        v2.status = .suspended
        v2.emailAddress = "juniper.okonkwo-lindqvist@example.com"
        v2.lastSeenMs = 1_733_001_122_334
        v2.labels = ["beta", "eu-north", "premium", "newsletter"]
        v2.locale = "nb-NO"

        // What the legacy writer stores for the same record.
        var v1 = Acme_User_V1_UserProfile()
        v1.id = v2.id
        v1.displayName = v2.profile.displayName
        v1.createdMs = createdAt.seconds * 1000 + Int64(createdAt.nanos / 1_000_000)
        v1.status = .disabled
        v1.email = v2.emailAddress
        v1.lastSeenMs = v2.lastSeenMs
        v1.tags = v2.labels

        var mismatch = v1
        mismatch.displayName = "Juniper Okonkwo"
        mismatch.status = .active
        mismatch.tags = ["beta", "premium"]

        let pair = EnginePair(
            name: "user-profile", plan: plan, diffEngine: DiffEngine(plan: plan), v2: try v2.serializedBytes(),
            v1Equal: try v1.serializedBytes(), v1Mismatch: try mismatch.serializedBytes()
        ) { v2, v1 in
            blackHole(try Acme_User_V2_UserProfile(serializedBytes: v2))
            blackHole(try Acme_User_V1_UserProfile(serializedBytes: v1))
        }
        try pair.check()
        return pair
    }

    /// The pairs must be what they claim to be, and the transcoder must not fall back to its general path.
    func check() throws {
        precondition(
            diffEngine.transcoderGeneralPathEntries.isEmpty,
            "\(name): entries on the transcoder's general path: \(diffEngine.transcoderGeneralPathEntries)")
        let equal = diffEngine.compare(shadowPayload: v1Equal, primaryPayload: v2)
        precondition(
            equal?.diffs.isEmpty == true, "\(name): equal pair compares with diffs: \(String(describing: equal))")
        precondition(equal?.usedFastPath == true, "\(name): equal pair does not take the fast path")
        // user-profile's display_name is read through a sub-message and written second: that plan has no single pass.
        precondition(
            diffEngine.transcodesInOnePass(v2) == (name != "user-profile"),
            "\(name): the transcoder's single pass does not answer as expected")
        let equalDiffs = try fullPath(v1Equal)
        let mismatchDiffs = try fullPath(v1Mismatch)
        precondition(equalDiffs == 0, "equal pair has \(equalDiffs) diffs on the full path")
        // Three fields differ (a list may report one diff per differing element).
        precondition(mismatchDiffs >= 3, "mismatching pair has \(mismatchDiffs) diffs, expected at least 3")
    }

    /// Decode both payloads with generated code (the baseline).
    @inline(__always)
    func generatedDecode(_ v1: [UInt8]) throws {
        try decodeGenerated(v2, v1)
    }

    /// Decode, project, decode, diff; returns the number of diffs.
    @inline(__always)
    func fullPath(_ v1: [UInt8]) throws -> Int {
        let primary = try DynamicMessage(decoding: v2, as: plan.v2Message, schema: plan.v2.schema)
        let projected = diffEngine.projection.project(primary)
        let shadow = try DynamicMessage(decoding: v1, as: plan.v1Message, schema: plan.v1.schema)
        return diffEngine.diff(shadow: shadow, primary: projected).count
    }

    /// The comparison the engine runs on stored rows (fast path for an equal pair).
    @inline(__always)
    func compare(_ v1: [UInt8]) -> Comparison? {
        diffEngine.compare(shadowPayload: v1, primaryPayload: v2)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)
    Benchmark.defaultConfiguration.maxIterations = 1_000_000
    let pairs: [EnginePair]
    do { pairs = [try EnginePair.userProfile(), try EnginePair.catalog()] } catch {
        fatalError("engine fixture: \(error)")
    }

    let perPair = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)

    for pair in pairs {
        // user-profile keeps the names of earlier runs' figures; catalog's carry the plan's name.
        let plan = pair.name == "user-profile" ? "" : " (\(pair.name))"
        Benchmark("Engine baseline: generated decode v1 + v2\(plan)", configuration: perPair) { benchmark in
            for _ in benchmark.scaledIterations { try pair.generatedDecode(pair.v1Equal) }
        }
        Benchmark("Engine equal pair: decode + project + diff\(plan)", configuration: perPair) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try pair.fullPath(pair.v1Equal)) }
        }
        Benchmark("Engine mismatching pair: decode + project + diff\(plan)", configuration: perPair) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try pair.fullPath(pair.v1Mismatch)) }
        }
        Benchmark("Engine equal pair: compare (fast path)\(plan)", configuration: perPair) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(pair.compare(pair.v1Equal)) }
        }
        Benchmark("Engine mismatching pair: compare\(plan)", configuration: perPair) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(pair.compare(pair.v1Mismatch)) }
        }

        // The ratios, measured pairwise in each iteration against the generated-code baseline.
        let equalRatio = Ratio.cost("equal diff/generated %")
        let mismatchRatio = Ratio.cost("mismatch diff/generated %")
        let fastRatio = Ratio.cost("fast path/generated %")
        let mismatchCompareRatio = Ratio.cost("mismatch compare/generated %")
        let baselineNs = Ratio.value("generated ns/pair")
        Benchmark(
            "Engine ratio: comparison vs generated decode of the pair\(plan)",
            configuration: .init(
                metrics: [equalRatio, mismatchRatio, fastRatio, mismatchCompareRatio, baselineNs], maxIterations: 2_000)
        ) { benchmark in
            let block = 250
            let baseline = try nanos { for _ in 0..<block { try pair.generatedDecode(pair.v1Equal) } }
            let equal = try nanos { for _ in 0..<block { blackHole(try pair.fullPath(pair.v1Equal)) } }
            let mismatch = try nanos { for _ in 0..<block { blackHole(try pair.fullPath(pair.v1Mismatch)) } }
            let fast = nanos { for _ in 0..<block { blackHole(pair.compare(pair.v1Equal)) } }
            let mismatchCompare = nanos { for _ in 0..<block { blackHole(pair.compare(pair.v1Mismatch)) } }
            benchmark.measurement(equalRatio, Ratio.percent(equal, of: baseline))
            benchmark.measurement(mismatchRatio, Ratio.percent(mismatch, of: baseline))
            benchmark.measurement(fastRatio, Ratio.percent(fast, of: baseline))
            benchmark.measurement(mismatchCompareRatio, Ratio.percent(mismatchCompare, of: baseline))
            benchmark.measurement(baselineNs, Int(baseline) / block)
        }
    }
}
