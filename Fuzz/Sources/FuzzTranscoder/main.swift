import FuzzSupport
import TandemProto

@testable import Tandem

/// The streaming v2 -> v1 transcoder of four example plans (the editions and extensions one, `shipments`, and the
/// rich `catalog` among them) on arbitrary v2 bytes (the first byte picks the plan).
/// Its contract: it answers only for payloads that decode, with exactly the bytes of `project(decode(v2))`, and its
/// single pass, where it answers, with exactly the bytes and unknown-field count of its two passes; and a
/// record compares equal to its own projection except where the v1 field cannot hold the v2 value: an int64 beyond an
/// int32's range, a Timestamp whose milliseconds overflow an int64 (`timestamp_millis`), or a number an open v2 enum
/// keeps that the closed v1 enum does not declare (and the plan's map does not reach) is not projected, and the diff
/// rightly reports what a v1 reader sees as changed.
// Appended, never reordered: the committed seeds and regressions pick their plan by `selector % plans.count`.
let plans: [MigrationPlan] = ["user-profile", "orders", "shipments", "catalog"].map { name in
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
        if transcoded.unknownFields != decoded.unknownFieldCountIncludingSubmessages {
            FuzzSupport.finding("the transcoder's unknown fields differ from the decoded record's")
        }
    }
    if let transcoder = engine.transcoder, let pass = transcoder.singlePass {
        let (one, two) = bytes.withUnsafeBytes {
            (
                transcoder.transcodeInOnePass($0, pass, options: .init()),
                transcoder.transcodeInTwoPasses($0, options: .init())
            )
        }
        if let one, one.bytes != two?.bytes || one.unknownFields != two?.unknownFields {
            FuzzSupport.finding("the single pass answered otherwise than the two passes")
        }
    }
    guard let decoded else { return 0 }
    let shadow = engine.projection.project(decoded).message.serializedBytes()
    if let comparison = engine.compare(shadowPayload: shadow, primaryPayload: bytes) {
        let unexplained = comparison.diffs.filter {
            !isNarrowing($0, plan: plan) && !isUnrepresentableTime($0, plan: plan)
                && !isUndeclaredInClosedEnum($0, plan: plan)
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

/// A number an open v2 enum keeps (an unknown value) that the closed v1 enum of the (top-level) field does not
/// declare: a v1 reader cannot hold it, so the projection leaves the field unset and the diff reports it.
func isUndeclaredInClosedEnum(_ diff: FieldDiff, plan: MigrationPlan) -> Bool {
    guard diff.kind == .changed, case .proto(.enumValue(let number))? = diff.v2,
        let field = plan.v1Message.field(named: diff.path), let v1Enum = plan.v1.schema.enumType(of: field),
        v1Enum.isClosed, v1Enum.name(of: number) == nil
    else { return false }
    guard let entry = plan.resolved.first(where: { $0.v1Field.number == field.number }),
        let v2Enum = plan.v2.schema.enumType(of: entry.source)
    else { return true }
    // A declared v2 value always maps (the plan's check makes the map complete); only strays reach here.
    return v2Enum.name(of: number) == nil
}
