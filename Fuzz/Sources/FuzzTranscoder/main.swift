import FuzzSupport
import TandemProto

@testable import Tandem

/// The streaming v2 -> v1 transcoder of both example plans on arbitrary v2 bytes (the first byte picks the plan).
/// Its contract: it answers only for payloads that decode, with exactly the bytes of `project(decode(v2))`; and a
/// record compares equal to its own projection except where the v1 field cannot hold the v2 value: an int64 beyond an
/// int32's range, or a Timestamp whose milliseconds overflow an int64 (`timestamp_millis`), is not projected, and the
/// diff rightly reports what a v1 reader sees as changed.
let plans: [MigrationPlan] = ["user-profile", "orders"].map { name in
    do {
        return try MigrationPlan.load(directory: FuzzSupport.repositoryRoot + "/Migrations/" + name)
    } catch {
        fatalError("the fuzz plan \(name) does not load: \(error)")
    }
}
let engines = plans.map { DiffEngine(plan: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTranscoder(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let (selector, buffer) = FuzzSupport.split(data, count) else { return 0 }
    let index = Int(selector) % plans.count
    let plan = plans[index]
    let engine = engines[index]
    let bytes = Array(buffer)
    let decoded = try? DynamicMessage(decoding: bytes, as: plan.v2Message, schema: plan.v2.schema)
    if let transcoded = engine.transcoder?.transcode(bytes) {
        guard let decoded else { FuzzSupport.finding("the transcoder answered for a payload that does not decode") }
        let projected = engine.projection.project(decoded).message.serializedBytes()
        if transcoded.bytes != projected { FuzzSupport.finding("transcoded bytes differ from project(decode(v2))") }
    }
    guard let decoded else { return 0 }
    let shadow = engine.projection.project(decoded).message.serializedBytes()
    if let comparison = engine.compare(shadowPayload: shadow, primaryPayload: bytes) {
        let unexplained = comparison.diffs.filter {
            !isNarrowing($0, plan: plan) && !isUnrepresentableTime($0, plan: plan)
        }
        if !unexplained.isEmpty {
            FuzzSupport.finding("a record differs from its own projection: \(unexplained.map(\.path))")
        }
    }
    return 0
}

/// A 64-bit v2 value beyond the 32-bit range of its (top-level) v1 field: the projection leaves the field unset.
func isNarrowing(_ diff: FieldDiff, plan: MigrationPlan) -> Bool {
    guard diff.kind == .changed, case .proto(let v2)? = diff.v2, let field = plan.v1Message.field(named: diff.path)
    else { return false }
    let wide: Int128
    switch v2 {
    case .int64(let value): wide = Int128(value)
    case .uint64(let value): wide = Int128(value)
    default: return false
    }
    switch field.type {
    case .int32, .sint32, .sfixed32: return Int32(exactly: wide) == nil
    case .uint32, .fixed32: return UInt32(exactly: wide) == nil
    default: return false
    }
}

/// A Timestamp converted to milliseconds (or seconds) that the v1 int64 cannot hold: the projection leaves it unset.
/// Only such a field may differ with no v1 value; which timestamps overflow is checked by `NarrowingTests`.
func isUnrepresentableTime(_ diff: FieldDiff, plan: MigrationPlan) -> Bool {
    guard diff.kind == .changed, diff.v1 == nil, diff.v2 != nil,
        let entry = plan.whitelist.first(where: { $0.field == diff.path })
    else { return false }
    return entry.convert == .timestampMillis || entry.convert == .timestampSeconds
}
