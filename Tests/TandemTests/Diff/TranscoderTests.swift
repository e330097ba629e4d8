import TandemProto
import Testing

@testable import Tandem

/// The transcoder's contract: whenever it answers, its bytes are exactly the canonical encoding of projecting the
/// decoded payload, and its unknown-field count is the decoded message's; whenever the decoder rejects a payload
/// or the projection cannot represent it, the transcoder declines.
@Suite struct TranscoderTests {
    /// A proto2 pair: closed enums, explicit presence, packed and unpacked runs, zigzag and fixed types, converts,
    /// a three-level source path, a map of messages, a v2 oneof, and a v1 oneof fed by two plain v2 fields.
    static let proto2V1 = """
        syntax = "proto2";
        package p;
        enum Kind { K_ZERO = 0; K_ONE = 1; K_TWO = 2; }
        message Inner { optional string label = 1; optional int32 weight = 2; }
        message Rec {
          optional string id = 1;
          optional Kind kind = 2;
          repeated Kind kinds = 3;
          repeated int32 nums = 4 [packed = true];
          repeated sint64 deltas = 5;
          optional fixed32 f32 = 6;
          optional sfixed64 sf64 = 7;
          optional string count_text = 8;
          optional bytes raw_name = 9;
          optional int64 wrapped = 10;
          optional int32 deep = 11;
          optional Inner inner = 12;
          optional int64 created_s = 13;
          optional bool flag = 14;
          optional double ratio = 15;
          optional string legacy = 16;
          map<string, Inner> by_name = 17;
          optional uint32 small = 18;
          optional string left = 19;
          oneof pick { string one = 21; int32 two = 22; }
        }
        """

    static let proto2V2 = """
        syntax = "proto2";
        package p;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/wrappers.proto";
        enum Kind { K_ZERO = 0; K_ONE = 1; K_TWO = 2; K_THREE = 3; }
        message Inner { optional int32 weight = 1; optional string label = 2; optional string note = 3; }
        message C { optional int32 c = 1; optional string other = 2; }
        message B { optional C b = 1; }
        message A { optional B a = 1; }
        message Rec {
          optional string id = 1;
          optional Kind kind = 2;
          repeated Kind kinds = 3;
          repeated int32 nums = 4;
          repeated sint64 deltas = 5 [packed = true];
          optional fixed32 f32 = 6;
          optional sfixed64 sf64 = 7;
          optional int64 count = 8;
          optional string name = 9;
          optional google.protobuf.Int64Value wrapped = 10;
          optional A path = 11;
          optional Inner inner = 12;
          optional google.protobuf.Timestamp created = 13;
          optional bool flag = 14;
          optional float ratio = 15;
          optional string legacy = 16;
          map<string, Inner> by_name = 17;
          optional uint64 small = 18;
          oneof choice { string left = 19; int32 right = 20; }
          optional string one = 21;
          optional int32 two = 22;
        }
        """

    static func proto2Plan() throws -> MigrationPlan {
        let v1 = try ProtoCompiler(importPaths: []).compile(source: proto2V1, fileName: "v1.proto").schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(source: proto2V2, fileName: "v2.proto").schema()
        return try MigrationPlan(
            name: "proto2", v1: PlanSchema(schema: v1, messageName: "p.Rec"),
            v2: PlanSchema(schema: v2, messageName: "p.Rec"),
            whitelist: [
                .init(field: "id"), .init(field: "kind"), .init(field: "kinds"), .init(field: "nums"),
                .init(field: "deltas"), .init(field: "f32"), .init(field: "sf64"),
                .init(field: "count_text", from: "count", convert: .toString),
                .init(field: "raw_name", from: "name", convert: .stringBytes),
                .init(field: "wrapped", convert: .unwrap),
                .init(field: "deep", from: "path.a.b.c"), .init(field: "inner"),
                .init(field: "created_s", from: "created", convert: .timestampSeconds), .init(field: "flag"),
                .init(field: "ratio"), .init(field: "legacy"), .init(field: "by_name"), .init(field: "small"),
                .init(field: "left"), .init(field: "one"), .init(field: "two"),
            ])
    }

    static func examplePlan(_ name: String) throws -> MigrationPlan {
        try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory(name))
    }

    /// Checks the contract on one payload; returns whether the transcoder answered.
    @discardableResult
    static func check(_ engine: DiffEngine, _ bytes: [UInt8], _ context: @autoclosure () -> String) throws -> Bool {
        let plan = engine.plan
        let transcoder = try #require(engine.transcoder)
        let transcoded = transcoder.transcode(bytes)
        let decoded = try? DynamicMessage(decoding: bytes, as: plan.v2Message, schema: plan.v2.schema)
        // The single pass answers as the two passes do, or leaves the payload to them.
        if let pass = transcoder.singlePass {
            let (one, two) = bytes.withUnsafeBytes {
                (
                    transcoder.transcodeInOnePass($0, pass, options: .init()),
                    transcoder.transcodeInTwoPasses($0, options: .init())
                )
            }
            if let one {
                #expect(one.bytes == two?.bytes, "the single pass's bytes differ (\(context()))")
                #expect(one.unknownFields == two?.unknownFields, "the single pass's unknown fields (\(context()))")
            }
        }
        guard let transcoded else { return false }
        guard let message = decoded else {
            Issue.record("the transcoder answered for a payload the decoder rejects (\(context()))")
            return true
        }
        let projected = engine.projection.project(message)
        #expect(projected.isFullyRepresentable, "answered for an unrepresentable record (\(context()))")
        #expect(transcoded.bytes == projected.message.serializedBytes(), "bytes differ (\(context()))")
        #expect(
            transcoded.unknownFields == message.unknownFieldCountIncludingSubmessages,
            "unknown fields differ (\(context()))")
        return true
    }

    /// A random v2 record; the proto2 plan's `one` and `two` (members of one v1 oneof) are mostly not both set.
    static func record(_ generator: inout RandomMessages, _ plan: MigrationPlan, _ rng: inout SplitMix64)
        -> DynamicMessage
    {
        var record = generator.message(plan.v2Message, using: &rng)
        if plan.name == "proto2" && Int.random(in: 0..<4, using: &rng) > 0 {
            record.clear(named: Bool.random(using: &rng) ? "one" : "two")
        }
        return record
    }

    static func plans() throws -> [(String, MigrationPlan)] {
        [
            ("fixture", try DiffFixture.plan()), ("proto2", try proto2Plan()),
            ("user-profile", try examplePlan("user-profile")), ("orders", try examplePlan("orders")),
            ("catalog", try examplePlan("catalog")), ("shipments", try examplePlan("shipments")),
        ]
    }

    @Test func compilesForEveryExamplePlan() throws {
        for (name, plan) in try Self.plans() {
            #expect(DiffEngine(plan: plan).transcoder != nil, "\(name)")
        }
    }

    @Test func wellFormedRecordsTranscodeExactly() throws {
        for (name, plan) in try Self.plans() {
            let engine = DiffEngine(plan: plan)
            var generator = RandomMessages(schema: plan.v2.schema)
            var rng = SplitMix64(seed: 0x7A4D)
            var answered = 0
            let count = 600
            for index in 0..<count {
                let record = Self.record(&generator, plan, &rng)
                if try Self.check(engine, record.serializedBytes(), "\(name) #\(index)") { answered += 1 }
            }
            // Records the projection can represent are answered: the fast path is not a rare guest. (The proto2
            // plan's random records often hold K_THREE, which its closed v1 enum cannot.)
            #expect(answered * 100 >= count * (name == "proto2" ? 20 : 95), "\(name): \(answered)/\(count)")
        }
    }

    @Test func fixtureRecordsAreAllAnswered() throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        var rng = SplitMix64(seed: 11)
        for index in 0..<400 {
            let record = try RandomRecords.v2Record(plan, &rng)
            #expect(try Self.check(engine, record.serializedBytes(), "fixture record #\(index)"))
        }
    }

    /// Payloads as other writers and corruption make them: duplicates, merges, unknown and mistyped fields,
    /// non-canonical varints, other packing, closed-enum strays, oneof conflicts, flipped and missing bytes.
    @Test func mutatedPayloadsAreAnsweredExactlyOrDeclined() throws {
        for (name, plan) in try Self.plans() {
            let engine = DiffEngine(plan: plan)
            var generator = RandomMessages(schema: plan.v2.schema)
            var rng = SplitMix64(seed: 0xBEEF)
            var answered = 0
            let count = 1500
            for index in 0..<count {
                let base = Self.record(&generator, plan, &rng).serializedBytes()
                let other = Self.record(&generator, plan, &rng).serializedBytes()
                let (mutated, kind) = Self.mutate(base, other: other, type: plan.v2Message, rng: &rng)
                if try Self.check(engine, mutated, "\(name) #\(index) \(kind)") { answered += 1 }
            }
            #expect(answered * 100 >= count * 15, "\(name): \(answered)/\(count) answered")
        }
    }

    /// Encoders write fields in number order, and the transcoder looks a field up by binary search then; any other
    /// order (fields shuffled at every level, repeats interleaved with other fields) must give the same answers.
    @Test func fieldsInAnyOrderAtAnyDepthTranscodeExactly() throws {
        for (name, plan) in try Self.plans() {
            let engine = DiffEngine(plan: plan)
            var generator = RandomMessages(schema: plan.v2.schema)
            var rng = SplitMix64(seed: 0x5EED)
            var answered = 0
            let count = 400
            for index in 0..<count {
                let bytes = Self.record(&generator, plan, &rng).serializedBytes()
                let shuffled = Self.shuffled(bytes, plan.v2Message, plan.v2.schema, &rng)
                if try Self.check(engine, shuffled, "\(name) #\(index) shuffled") { answered += 1 }
            }
            #expect(answered * 100 >= count * (name == "proto2" ? 20 : 80), "\(name): \(answered)/\(count)")
        }
    }

    /// `bytes` (a well-formed `type`) with its field occurrences in a random order, and so within every
    /// sub-message (map entries and packed runs kept whole).
    static func shuffled(_ bytes: [UInt8], _ type: MessageDescriptor, _ schema: Schema, _ rng: inout SplitMix64)
        -> [UInt8]
    {
        var pieces: [[UInt8]] = []
        bytes.withUnsafeBytes { buffer in
            var reader = WireReader(buffer)
            while let (number, wireType) = try? reader.nextTag() {
                let start = reader.tagOffset
                guard (try? reader.skipField(wireType: wireType, fieldNumber: number)) != nil else { return }
                let field = type.fields.first { $0.number == number }
                if wireType == .lengthDelimited, let field, !field.isMap, let inner = schema.messageType(of: field) {
                    var value = WireReader(buffer, range: start..<reader.offset)
                    _ = try? value.nextTag()
                    guard let range = try? value.readLengthDelimited() else { return }
                    let nested = shuffled(Array(bytes[range]), inner, schema, &rng)
                    pieces.append(tag(number, 2) + varint(UInt64(nested.count)) + nested)
                } else {
                    pieces.append(Array(bytes[start..<reader.offset]))
                }
            }
        }
        pieces.shuffle(using: &rng)
        return pieces.flatMap { $0 }
    }

    @Test func unrepresentableValuesAreDeclined() throws {
        let plan = try DiffFixture.plan()
        let engine = DiffEngine(plan: plan)
        var record = DiffFixture.v2(plan)
        // int64 -> int32 narrowing of a value int32 cannot hold.
        try record.set(named: "narrow", to: .int64(Int64(Int32.max) + 1))
        #expect(engine.transcoder?.transcode(record.serializedBytes()) == nil)
        try record.set(named: "narrow", to: .int64(Int64(Int32.max)))
        #expect(try Self.check(engine, record.serializedBytes(), "narrowable"))
    }

    @Test func closedEnumStraysAreUnknownFields() throws {
        let plan = try Self.proto2Plan()
        let engine = DiffEngine(plan: plan)
        var bytes = DynamicMessage(descriptor: plan.v2Message, schema: plan.v2.schema).serializedBytes()
        // kind = 1, then kind = 9 (not a Kind value: an unknown field, so kind stays 1), then a packed run of
        // kinds 1, 9, 2.
        bytes += [0x10, 0x01, 0x10, 0x09, 0x1A, 0x03, 0x01, 0x09, 0x02]
        #expect(try Self.check(engine, bytes, "closed enum strays"))
        #expect(engine.transcoder?.transcode(bytes)?.unknownFields == 2)
    }

    @Test func twoMembersOfAV1OneofAreDeclined() throws {
        let plan = try Self.proto2Plan()
        let engine = DiffEngine(plan: plan)
        var record = DynamicMessage(descriptor: plan.v2Message, schema: plan.v2.schema)
        try record.set(named: "one", to: .string("a"))
        #expect(try Self.check(engine, record.serializedBytes(), "one member"))
        try record.set(named: "two", to: .int32(2))
        #expect(engine.transcoder?.transcode(record.serializedBytes()) == nil)
    }

    @Test func compareTakesTheFastPathOnTheEqualPairAndWalksTheOther() throws {
        let plan = try Self.examplePlan("user-profile")
        let engine = DiffEngine(plan: plan)
        var generator = RandomMessages(schema: plan.v2.schema)
        var rng = SplitMix64(seed: 5)
        let record = generator.message(plan.v2Message, using: &rng)
        let primary = record.serializedBytes()
        let shadow = engine.projection.project(record).message
        let equal = try #require(engine.compare(shadowPayload: shadow.serializedBytes(), primaryPayload: primary))
        #expect(equal.diffs.isEmpty && equal.usedFastPath)
        var changed = shadow
        try changed.set(named: "display_name", to: .string("someone else"))
        let unequal = try #require(engine.compare(shadowPayload: changed.serializedBytes(), primaryPayload: primary))
        #expect(unequal.diffs.map(\.path) == ["display_name"])
        #expect(!unequal.usedFastPath)
    }

    // MARK: Mutations

    static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        WireValues.appendVarint(value, to: &bytes)
        return bytes
    }

    static func tag(_ number: Int32, _ wireType: UInt8) -> [UInt8] {
        varint(UInt64(number) << 3 | UInt64(wireType))
    }

    /// A value of wire type `wireType`, without its tag.
    static func value(_ wireType: UInt8, rng: inout SplitMix64) -> [UInt8] {
        switch wireType {
        case 0: return varint([0, 1, 2, 3, 9, 300, UInt64.max][Int.random(in: 0..<7, using: &rng)])
        case 1: return (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 5: return (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default:
            let payload = (0..<Int.random(in: 0...3, using: &rng)).map { _ in UInt8.random(in: 0...127, using: &rng) }
            return varint(UInt64(payload.count)) + payload
        }
    }

    static func mutate(_ base: [UInt8], other: [UInt8], type: MessageDescriptor, rng: inout SplitMix64)
        -> ([UInt8], String)
    {
        let numbers: [Int32] = type.fields.map(\.number)
        let number: Int32 = numbers.randomElement(using: &rng) ?? 1
        let wireTypes: [UInt8] = [0, 1, 2, 5]
        let wireType: UInt8 = wireTypes.randomElement(using: &rng) ?? 0
        switch Int.random(in: 0..<11, using: &rng) {
        case 0:
            return (base, "none")
        case 1:
            // A declared field with any wire type: a duplicate when it matches, an unknown field when it does not.
            let field: [UInt8] = tag(number, wireType) + value(wireType, rng: &rng)
            return (base + field, "field \(number) wire \(wireType)")
        case 2:
            let unknown: [UInt8] = tag(Int32.random(in: 100...120, using: &rng), wireType) + value(wireType, rng: &rng)
            return (base + unknown, "unknown")
        case 3:
            return (base + other, "merge")
        case 4:
            guard !base.isEmpty else { return (base, "flip of nothing") }
            var flipped = base
            let index = Int.random(in: 0..<base.count, using: &rng)
            flipped[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            return (flipped, "flip at \(index)")
        case 5:
            guard !base.isEmpty else { return (base, "truncation of nothing") }
            let cut = Int.random(in: 0..<base.count, using: &rng)
            return (Array(base[..<cut]), "truncated at \(cut)")
        case 6:
            // A non-canonical varint: 1 written in two bytes.
            let overlong: [UInt8] = [0x81, 0x00]
            return (base + tag(number, 0) + overlong, "overlong varint in \(number)")
        case 7:
            // A packed run of small varints for any field.
            let run: [UInt8] = [1, 9, 2, 0]
            return (base + tag(number, 2) + varint(UInt64(run.count)) + run, "packed run in \(number)")
        case 8:
            // A nested message occurrence holding a stray field of its own.
            let inner: [UInt8] = tag(1, 0) + [0x05] + tag(50, 0) + [0x01]
            return (base + tag(number, 2) + varint(UInt64(inner.count)) + inner, "nested in \(number)")
        case 9:
            // Two oneof members, or a field and its repeat with other contents.
            let second = numbers.randomElement(using: &rng) ?? 2
            return (
                base + tag(number, 2) + value(2, rng: &rng) + tag(second, 0) + value(0, rng: &rng),
                "fields \(number) and \(second)"
            )
        default:
            // Invalid UTF-8 in a length-delimited occurrence.
            let invalid: [UInt8] = [0x02, 0xC3, 0x28]
            return (base + tag(number, 2) + invalid, "invalid UTF-8 in \(number)")
        }
    }
}
