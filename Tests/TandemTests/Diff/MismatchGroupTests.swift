import TandemProto
import Testing

@testable import Tandem

struct MismatchGroupTests {
    @Test(arguments: [
        ("scores[1]", "scores[*]"), ("attrs[\"color\"]", "attrs[*]"), ("attrs[7].v", "attrs[*].v"),
        ("attrs[\"a]b\\\"c\"].x", "attrs[*].x"), ("a.b", "a.b"), ("$", "$"),
    ])
    func pathsNormalise(path: String, normalized: String) {
        #expect(DiffPath.normalized(path) == normalized)
    }

    @Test func groupsCountByNormalisedPathAndKind() {
        var aggregator = MismatchAggregator(redactor: Redactor(paths: []), maxSamplesPerGroup: 2)
        for key in 0..<5 {
            aggregator.add(
                key: "k\(key)",
                diffs: [
                    FieldDiff(path: "scores[\(key)]", kind: .changed, v1: .int32(1), v2: .int32(2)),
                    FieldDiff(path: "name", kind: .missingInShadow, v1: nil, v2: .string("x")),
                ])
        }
        aggregator.add(
            key: "k9", diffs: [FieldDiff(path: "scores[0]", kind: .missingInPrimary, v1: .int32(1), v2: nil)])
        let groups = aggregator.groups
        #expect(
            groups.map { "\($0.path) \($0.kind.rawValue) \($0.count)" } == [
                "name missing_in_shadow 5", "scores[*] changed 5", "scores[*] missing_in_primary 1",
            ])
        #expect(groups[1].samples.map(\.diff.path) == ["scores[0]", "scores[1]"])
        #expect(groups[1].samples.map(\.key) == ["k0", "k1"])
    }

    @Test func redactedValuesNeverAppearInClear() {
        let redactor = Redactor(paths: ["email", "contact"], salt: Array("salt".utf8))
        var aggregator = MismatchAggregator(redactor: redactor)
        aggregator.add(
            key: "u1",
            diffs: [
                FieldDiff(
                    path: "email", kind: .changed, v1: .string("ann@example.com"), v2: .string("bob@example.com")),
                FieldDiff(path: "contact.phones[0]", kind: .changed, v1: .string("555"), v2: .string("556")),
                FieldDiff(path: "emails", kind: .changed, v1: .string("visible"), v2: .string("visible2")),
            ])
        let samples = aggregator.groups.flatMap(\.samples).map(\.diff)
        let rendered = samples.map(\.description).joined(separator: "\n")
        #expect(!rendered.contains("ann@example.com") && !rendered.contains("bob@example.com"))
        #expect(!rendered.contains("555"))
        #expect(rendered.contains("visible"))
        let email = samples.first { $0.path == "email" }
        guard case .redacted(let token)? = email?.v1 else {
            Issue.record("email not redacted")
            return
        }
        #expect(token.hasPrefix("redacted:") && token.count == "redacted:".count + 12)
        // SHA-256("salt" + "s" + "ann@example.com"): stable for one salt, different for another.
        #expect(token == redactor.token(for: .string("ann@example.com")))
        #expect(token != Redactor(paths: ["email"], salt: Array("other".utf8)).token(for: .string("ann@example.com")))
        #expect(redactor.token(for: .int32(5)) == redactor.token(for: .int64(5)))
    }
}
