import TandemProto
import Testing

@testable import Tandem

/// The transcoder's direct paths for sub-messages, repeated messages, maps and wrappers (issue 21): exact bytes
/// or a decline, on well-formed records and on payloads mutated inside sub-messages and map entries.
@Suite struct TranscoderMessageTests {
    static let v1 = """
        syntax = "proto3";
        package r;
        import "google/protobuf/timestamp.proto";
        enum Color { C0 = 0; RED = 1; BLUE = 3; CYAN = 4; }
        message Leaf { string s = 2; int32 n = 1; Color c = 3; repeated int64 xs = 4; bytes b = 5;
                       google.protobuf.Timestamp at = 6; }
        message Node {
          Leaf leaf = 1;
          repeated Leaf leaves = 2;
          map<string, Leaf> by_name = 3;
          map<int32, string> names = 4;
          oneof pick { int32 a = 5; Leaf l = 6; }
        }
        message Tree { Tree child = 1; int32 depth = 2; }
        message Rec {
          string id = 1;
          Node node = 2;
          repeated Node nodes = 3;
          map<sint64, Node> by_number = 4;
          map<bool, int64> flags = 5;
          map<uint32, Color> colors = 6;
          Tree tree = 7;
          int64 count = 8;
          string note = 9;
          map<string, int32> narrowed = 10;
        }
        """

    static let v2 = """
        syntax = "proto3";
        package r;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/wrappers.proto";
        enum Color { C0 = 0; RED = 1; GREEN = 2; BLUE = 3; }
        message Leaf { string s = 1; int64 n = 2; Color c = 3; repeated int32 xs = 4; bytes b = 5; string extra = 6;
                       google.protobuf.Timestamp at = 7; }
        message Node {
          Leaf leaf = 1;
          repeated Leaf leaves = 2;
          map<string, Leaf> by_name = 3;
          map<int32, string> names = 4;
          oneof pick { int32 a = 5; Leaf l = 6; }
          int32 dropped = 7;
        }
        message Tree { Tree child = 1; int32 depth = 2; }
        message Rec {
          string id = 1;
          Node node = 2;
          repeated Node nodes = 3;
          map<sint64, Node> by_number = 4;
          map<bool, int64> flags = 5;
          map<uint32, Color> colors = 6;
          Tree tree = 7;
          google.protobuf.Int64Value count = 8;
          google.protobuf.StringValue note = 9;
          map<string, int64> narrowed = 10;
        }
        """

    static func plan() throws -> MigrationPlan {
        let v1 = try ProtoCompiler(importPaths: []).compile(source: Self.v1, fileName: "v1.proto").schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(source: Self.v2, fileName: "v2.proto").schema()
        return try MigrationPlan(
            name: "shapes", v1: PlanSchema(schema: v1, messageName: "r.Rec"),
            v2: PlanSchema(schema: v2, messageName: "r.Rec"),
            whitelist: [
                .init(field: "id"), .init(field: "node"), .init(field: "nodes"), .init(field: "by_number"),
                .init(field: "flags"), .init(field: "colors"), .init(field: "tree"),
                .init(field: "count", convert: .unwrap), .init(field: "note", convert: .unwrap),
                .init(field: "narrowed"),
            ])
    }

    typealias Check = TranscoderTests

    @Test func onlyWhatTheDirectPathsCannotDoTakesTheGeneralPath() throws {
        #expect(try #require(DiffEngine(plan: Self.plan()).transcoder).generalEntries == ["tree"])
        for name in ["catalog", "user-profile", "orders", "shipments"] {
            let transcoder = try #require(DiffEngine(plan: TranscoderTests.examplePlan(name)).transcoder)
            #expect(transcoder.generalEntries.isEmpty, "\(name): \(transcoder.generalEntries)")
        }
        // A named conversion of bytes has no direct path.
        #expect(try #require(DiffEngine(plan: TranscoderTests.proto2Plan()).transcoder).generalEntries == ["raw_name"])
    }

    @Test func wellFormedRecordsTranscodeExactly() throws {
        let plan = try Self.plan()
        let engine = DiffEngine(plan: plan)
        var generator = RandomMessages(schema: plan.v2.schema)
        var rng = SplitMix64(seed: 0x5EED)
        var answered = 0
        for index in 0..<500 {
            var record = generator.message(plan.v2Message, using: &rng)
            // Narrowed map values the v1 int32 cannot hold now and then: those records are declined.
            if index % 10 == 0 { try record.setMapValue(.int64(1 << 40), forKey: .string("big"), in: 10) }
            if try Check.check(engine, record.serializedBytes(), "shapes #\(index)") { answered += 1 }
        }
        #expect(answered >= 440, "\(answered)/500 answered")
    }

    /// A random occurrence of `type`, mutated at some depth: a top-level mutation of the message, or a mutated
    /// occurrence of one of its message, repeated-message or map fields appended to it.
    static func nestedMutation(
        _ type: MessageDescriptor, schema: Schema, generator: inout RandomMessages, rng: inout SplitMix64, depth: Int
    ) -> ([UInt8], String) {
        let base = generator.message(type, using: &rng).serializedBytes()
        let messageFields = type.fields.filter { $0.type == .message }
        if depth < 3, let field = messageFields.randomElement(using: &rng), Int.random(in: 0..<3, using: &rng) > 0,
            let fieldType = schema.messageType(of: field)
        {
            let (inner, kind) = nestedMutation(
                fieldType, schema: schema, generator: &generator, rng: &rng, depth: depth + 1)
            return (
                base + Check.tag(field.number, 2) + Check.varint(UInt64(inner.count)) + inner, "\(field.name).\(kind)"
            )
        }
        let other = generator.message(type, using: &rng).serializedBytes()
        return Check.mutate(base, other: other, type: type, rng: &rng)
    }

    @Test func payloadsMutatedInsideSubMessagesAndMapEntriesAreAnsweredExactlyOrDeclined() throws {
        for (name, plan) in [("shapes", try Self.plan()), ("catalog", try TranscoderTests.examplePlan("catalog"))] {
            let engine = DiffEngine(plan: plan)
            var generator = RandomMessages(schema: plan.v2.schema)
            var rng = SplitMix64(seed: 0xC0FFEE)
            var answered = 0
            let count = 1500
            for index in 0..<count {
                let (bytes, kind) = Self.nestedMutation(
                    plan.v2Message, schema: plan.v2.schema, generator: &generator, rng: &rng, depth: 0)
                if try Check.check(engine, bytes, "\(name) #\(index) \(kind)") { answered += 1 }
            }
            #expect(answered * 100 >= count * 15, "\(name): \(answered)/\(count) answered")
        }
    }

    // MARK: Hand-made payloads

    static func field(_ number: Int32, _ payload: [UInt8]) -> [UInt8] {
        Check.tag(number, 2) + Check.varint(UInt64(payload.count)) + payload
    }

    static func varintField(_ number: Int32, _ value: UInt64) -> [UInt8] {
        Check.tag(number, 0) + Check.varint(value)
    }

    static func string(_ number: Int32, _ text: String) -> [UInt8] {
        field(number, Array(text.utf8))
    }

    @Test func mapEntriesAreSortedAndALaterEntryOfAKeyWins() throws {
        let engine = DiffEngine(plan: try Self.plan())
        // by_number (sint64 keys, zigzag): 5, -3, 5 again, 0 (key left out), -3 again with an empty node.
        let node = Self.string(4, "") + Self.varintField(5, 7)
        var bytes: [UInt8] = []
        for (key, value) in [(10 as UInt64, node), (5, node + Self.varintField(7, 1)), (10, Self.varintField(5, 9))] {
            bytes += Self.field(4, Self.varintField(1, key) + Self.field(2, value))
        }
        bytes += Self.field(4, Self.field(2, node))
        bytes += Self.field(4, Self.field(2, []) + Self.varintField(1, 5))
        // colors: value before key, a key with no value (reads as zero), an unknown Color value (open enum).
        bytes += Self.field(6, Self.varintField(2, 3) + Self.varintField(1, 4_000_000_000))
        bytes += Self.field(6, Self.varintField(1, 7))
        bytes += Self.field(6, Self.varintField(1, 1) + Self.varintField(2, 99))
        // flags: true before false.
        bytes += Self.field(5, Self.varintField(1, 1) + Self.varintField(2, 3))
        bytes += Self.field(5, Self.varintField(1, 0) + Self.varintField(2, 4))
        #expect(try Check.check(engine, bytes, "maps"))
        let transcoded = try #require(engine.transcoder?.transcode(bytes))
        let decoded = try DynamicMessage(
            decoding: transcoded.bytes, as: engine.plan.v1Message, schema: engine.plan.v1.schema)
        // Keys 5, -3 and 0 (left out): one entry each.
        #expect(decoded.mapEntries(named: "by_number").count == 3)
    }

    @Test func aMessageValueLeftOutOfATopLevelMapEntryTakesTheGeneralPath() throws {
        let engine = DiffEngine(plan: try Self.plan())
        let bytes = Self.field(4, Self.varintField(1, 2)) + Self.string(1, "id")
        #expect(try Check.check(engine, bytes, "entry without a value"))
    }

    @Test func nonASCIIKeysTakeTheGeneralPathAtTheTopAndAreDeclinedBelowIt() throws {
        let engine = DiffEngine(plan: try Self.plan())
        // "é" precomposed and decomposed are one key to the decoder (Swift's String equality).
        let top =
            Self.field(10, Self.string(1, "\u{E9}") + Self.varintField(2, 1))
            + Self.field(10, Self.string(1, "e\u{301}") + Self.varintField(2, 2))
        #expect(try Check.check(engine, top, "non-ASCII keys"))
        let nested = Self.field(
            2,
            Self.field(3, Self.string(1, "\u{E9}") + Self.field(2, []))
                + Self.field(3, Self.string(1, "e\u{301}") + Self.field(2, [])))
        let answered = try Check.check(engine, nested, "non-ASCII keys in a sub-message")
        #expect(!answered)
    }

    @Test func subMessageOccurrencesMergeAndLongOnesKeepTheirLengths() throws {
        let engine = DiffEngine(plan: try Self.plan())
        // One node whose leaf (a message without a oneof) comes twice and merges: s from the first, n from the
        // second, xs appended; then a leaf of 200 bytes (a two-byte length) and one of 20,000 bytes (three bytes).
        // (Node itself has a oneof: two occurrences of it are declined, see the next test.)
        let first = Self.field(1, Self.string(1, "first") + Self.varintField(2, 1) + Self.field(4, [5]))
        let second = Self.field(1, Self.varintField(2, 2) + Self.string(6, "dropped") + Self.field(4, [6]))
        var bytes = Self.field(2, first + Self.field(4, Self.string(2, "x")) + second + Self.varintField(7, 3))
        bytes += Self.string(1, "id")
        for size in [200, 20_000] {
            let leaf = Self.string(1, String(repeating: "a", count: size)) + Self.field(4, [1, 2, 3])
            bytes += Self.field(3, Self.field(2, leaf) + Self.field(1, leaf))
        }
        #expect(try Check.check(engine, bytes, "merged and long sub-messages"))
        #expect(engine.transcoder?.transcode(bytes) != nil)
    }

    @Test func aSecondMemberOfAV1OneofInASubMessageIsDeclined() throws {
        let engine = DiffEngine(plan: try Self.plan())
        let one = Self.field(2, Self.varintField(5, 4))
        #expect(try Check.check(engine, one, "one member"))
        // The v2 oneof too holds a and l; two members in one occurrence are the validator's decline, in two
        // occurrences the second clears the first (decoding), and the transcoder must agree or decline.
        let two = Self.field(2, Self.varintField(5, 4)) + Self.field(2, Self.field(6, Self.string(1, "l")))
        try Check.check(engine, two, "two members in two occurrences")
    }

    /// The shapes plan with a v1 `Node` whose `a` and `l` are plain fields (v2 keeps them in oneof `pick`) and a
    /// v1 `node_a` read from `node.a`: merged occurrences of a v2 `Node` where a later member clears an earlier one.
    static func planWithoutTheV1Oneof() throws -> MigrationPlan {
        let v1Source = Self.v1.replacingOccurrences(
            of: "oneof pick { int32 a = 5; Leaf l = 6; }", with: "int32 a = 5; Leaf l = 6;"
        ).replacingOccurrences(
            of: "map<string, int32> narrowed = 10;", with: "map<string, int32> narrowed = 10; int32 node_a = 11;")
        let v1 = try ProtoCompiler(importPaths: []).compile(source: v1Source, fileName: "v1.proto").schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(source: Self.v2, fileName: "v2.proto").schema()
        return try MigrationPlan(
            name: "shapes-no-oneof", v1: PlanSchema(schema: v1, messageName: "r.Rec"),
            v2: PlanSchema(schema: v2, messageName: "r.Rec"),
            whitelist: [
                .init(field: "node"), .init(field: "nodes"), .init(field: "by_number"),
                .init(field: "node_a", from: "node.a"),
            ])
    }

    @Test func aOneofMemberClearedByALaterOccurrenceIsNotWritten() throws {
        let engine = DiffEngine(plan: try Self.planWithoutTheV1Oneof())
        let a = Self.varintField(5, 4)
        let l = Self.field(6, Self.string(1, "s"))
        let ln = Self.field(6, Self.varintField(2, 7) + Self.varintField(40, 1))
        for (name, occurrences) in [("a then l", [a, l]), ("l then a", [l, a]), ("l, a, l", [l, a, ln])] {
            // node (singular), then one element of nodes, then a map value given twice inside one entry.
            let node = occurrences.map { Self.field(2, $0) }.reduce([], +)
            let element = Self.field(3, occurrences.reduce([], +))
            let entry = Self.field(4, Self.varintField(1, 2) + occurrences.map { Self.field(2, $0) }.reduce([], +))
            for (place, bytes) in [("node", node), ("nodes", element), ("by_number", entry)] {
                try Check.check(engine, bytes, "\(name) in \(place)")
            }
        }
        // One occurrence of each is answered.
        #expect(try Check.check(engine, Self.field(2, l) + Self.field(3, a), "single occurrences"))
    }

    @Test func wrappersUnwrapTheirValueAndAnEmptyWrapperReadsAsZero() throws {
        let engine = DiffEngine(plan: try Self.plan())
        for bytes in [
            Self.field(8, Self.varintField(1, 42)) + Self.field(9, Self.string(1, "hi")),
            Self.field(8, []) + Self.field(9, []),
            Self.field(8, Self.varintField(1, 1)) + Self.field(8, Self.varintField(1, 2)),
        ] {
            #expect(try Check.check(engine, bytes, "wrappers \(bytes)"))
        }
    }
}
