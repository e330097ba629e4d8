import FuzzSupport
import TandemProto

@testable import Tandem

/// The streaming v2 -> v1 transcoder of both example plans on arbitrary v2 bytes (the first byte picks the plan).
/// Its contract: it answers only for payloads that decode, with exactly the bytes of `project(decode(v2))`; and a
/// record always compares equal to its own projection.
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
    if let comparison = engine.compare(shadowPayload: shadow, primaryPayload: bytes), !comparison.diffs.isEmpty {
        FuzzSupport.finding("a record differs from its own projection: \(comparison.diffs.map(\.path))")
    }
    return 0
}
