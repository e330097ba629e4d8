import TandemProto
import Testing

@testable import Tandem

/// The compare rules the engine resolves per field at init (``CompareRules``) must give the diffs the plan's paths
/// give: ignoring a path drops exactly the diffs at that path and below, and nothing else.
struct CompareRulesTests {
    static let ignoredPaths: [FieldPath] = ["sub.name", "sub", "attrs", "tags", "s", "codes", "nums", "created_ms"]

    @Test(arguments: ignoredPaths)
    func ignoringAPathDropsExactlyItsDiffs(ignored: FieldPath) throws {
        let plain = DiffEngine(plan: try DiffFixture.plan())
        let ignoring = DiffEngine(plan: try DiffFixture.plan(ignore: [ignored]))
        var rng = SplitMix64(seed: 7)
        let name = ignored.description
        for _ in 0..<300 {
            let primary = try RandomRecords.v2Record(plain.plan, &rng)
            let projected = plain.projection.project(primary)
            var shadow =
                Bool.random(using: &rng)
                ? plain.projection.project(try RandomRecords.v2Record(plain.plan, &rng)).message
                : projected.message
            _ = try RandomRecords.mutate(&shadow, plain.plan, &rng)
            let all = plain.diff(shadow: shadow, primary: projected)
            let kept = all.filter {
                let schemaPath = DiffPath.schemaPath($0.path)
                return schemaPath != name && !schemaPath.hasPrefix(name + ".")
            }
            #expect(ignoring.diff(shadow: shadow, primary: projected) == kept)
        }
    }

    @Test func byteEqualityMatchesTheEncoding() throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        var rng = SplitMix64(seed: 11)
        for _ in 0..<500 {
            let message = engine.projection.project(try RandomRecords.v2Record(plan, &rng)).message
            var other =
                Bool.random(using: &rng)
                ? message : engine.projection.project(try RandomRecords.v2Record(plan, &rng)).message
            if Bool.random(using: &rng) { _ = try RandomRecords.mutate(&other, plan, &rng) }
            var bytes = other.serializedBytes()
            if Int.random(in: 0..<4, using: &rng) == 0 && !bytes.isEmpty { bytes.removeLast() }
            #expect(message.serializedBytesEqual(to: bytes) == (message.serializedBytes() == bytes))
        }
    }

    @Test func asciiAndNonASCIIStringsDecodeAlike() throws {
        let plan = try DiffFixture.plan()
        for text in ["", "a", "exactly8", "sixteen-bytes-ok", "caf\u{E9}", "\u{1F600} and ascii tail", "ascii\u{7F}"] {
            var message = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
            try message.set(named: "s", to: .string(text))
            let decoded = try DynamicMessage(
                decoding: message.serializedBytes(), as: plan.v1Message, schema: plan.v1.schema)
            #expect(decoded.get(named: "s") == .string(text))
        }
    }
}
