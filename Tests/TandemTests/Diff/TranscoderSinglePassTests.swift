import TandemProto
import Testing

@testable import Tandem

/// The transcoder's single pass (``Transcoder/SinglePass``): it answers for records as encoders write them, and
/// where it answers, its bytes and unknown-field count are the two passes' (``TranscoderTests/check(_:_:_:)`` holds
/// every contract test's payload to that too).
struct TranscoderSinglePassTests {
    typealias Check = TranscoderTests
    typealias Bytes = TranscoderMessageTests

    /// The single pass's answer and the two passes' for `bytes`.
    static func both(_ transcoder: Transcoder, _ bytes: [UInt8]) throws -> (
        one: Transcoder.Output?, two: Transcoder.Output?
    ) {
        let pass = try #require(transcoder.singlePass)
        return bytes.withUnsafeBytes {
            (
                transcoder.transcodeInOnePass($0, pass, options: .init()),
                transcoder.transcodeInTwoPasses($0, options: .init())
            )
        }
    }

    static func catalog() throws -> (DiffEngine, Transcoder) {
        let engine = DiffEngine(plan: try Check.examplePlan("catalog"))
        return (engine, try #require(engine.transcoder))
    }

    @Test func plansWhoseEntriesComeInV1OrderHaveOne() throws {
        for name in ["catalog", "orders"] {
            let transcoder = try #require(DiffEngine(plan: Check.examplePlan(name)).transcoder)
            #expect(transcoder.singlePass != nil, "\(name)")
        }
        // user-profile's display_name comes from inside a sub-message and is written second: the single pass could
        // not write it before the fields that follow it. The two passes read that plan.
        #expect(try #require(DiffEngine(plan: Check.examplePlan("user-profile")).transcoder).singlePass == nil)
        // Maps, sub-messages, wrappers, timestamps and packed numbers are read in the pass itself: nothing is left
        // to the two-pass code. The two fields read from inside the supplier are written from its one occurrence by
        // a program of their own, and the timestamps no entry reads are validated by one.
        let (_, transcoder) = try Self.catalog()
        let pass = try #require(transcoder.singlePass)
        let recorded = (0..<transcoder.topLevelCount).filter { pass.handling(ofSlot: $0) == .recorded }
        #expect(recorded.map { transcoder.v1Fields[$0].name } == [])
        #expect(pass.deferred.map { transcoder.v1Fields[$0].name } == ["supplier_onboarded_ms", "supplier_rating"])
        #expect(pass.deferredGroups.count == 1 && pass.deferredGroups[0].program.messageIndex >= 0)
        let timestamp = try #require(transcoder.v2Schema.message(named: "google.protobuf.Timestamp"))
        #expect(pass.checks[timestamp.index].messageIndex == timestamp.index)
    }

    @Test func packedRunsAreCopiedOnceAndJoinedByTheTwoPasses() throws {
        let (engine, transcoder) = try Self.catalog()
        let run = Bytes.field(18, Check.varint(5) + Check.varint(1 << 40) + Check.varint(0))
        let record = Bytes.string(1, "l1") + run
        let (one, two) = try Self.both(transcoder, record)
        #expect(try #require(one).bytes == two?.bytes)
        // Two runs, or unpacked elements, are one list to the decoder: the two passes join them.
        for (name, bytes) in [("two runs", record + run), ("unpacked", record + Bytes.varintField(18, 9))] {
            let (one, two) = try Self.both(transcoder, bytes)
            #expect(one == nil && two != nil, "\(name)")
            #expect(try Check.check(engine, bytes, name))
        }
    }

    @Test func encodedRecordsAreAnsweredInOnePass() throws {
        for (name, plan) in try Check.plans() {
            let transcoder = try #require(DiffEngine(plan: plan).transcoder)
            guard transcoder.singlePass != nil else { continue }
            var generator = RandomMessages(schema: plan.v2.schema)
            var rng = SplitMix64(seed: 0x51_6E_61_1E)
            for index in 0..<300 {
                let bytes = Check.record(&generator, plan, &rng).serializedBytes()
                let (one, two) = try Self.both(transcoder, bytes)
                guard let two else { continue }
                let answered = try #require(one, "\(name) #\(index): left to the two passes")
                #expect(answered.bytes == two.bytes, "\(name) #\(index)")
                #expect(answered.unknownFields == two.unknownFields, "\(name) #\(index)")
            }
        }
    }

    /// A catalog record with a title, a description and a map of labels.
    static func labels(_ pairs: [(String, String)]) -> [UInt8] {
        var bytes = Bytes.string(1, "l1") + Bytes.string(2, "A title")
        for (key, value) in pairs { bytes += Bytes.field(8, Bytes.string(1, key) + Bytes.string(2, value)) }
        return bytes + Bytes.varintField(20, 1)
    }

    @Test func mapEntriesOutOfKeyOrderAreSortedAndALaterOneOfAKeyWins() throws {
        let (engine, transcoder) = try Self.catalog()
        let sorted = Self.labels([("a", "1"), ("b", "2"), ("c", "3")])
        let shuffled = Self.labels([("c", "3"), ("a", "0"), ("b", "2"), ("a", "1")])
        let (one, two) = try Self.both(transcoder, shuffled)
        let answered = try #require(one)
        #expect(answered.bytes == two?.bytes)
        // The same v1 bytes as the record written in key order, each key once.
        #expect(answered.bytes == (try Self.both(transcoder, sorted).one?.bytes))
        #expect(try Check.check(engine, shuffled, "shuffled map"))
    }

    @Test func payloadsOutOfTheEncodersShapeAreLeftToTheTwoPasses() throws {
        let (engine, transcoder) = try Self.catalog()
        let record = Bytes.string(1, "l1") + Bytes.string(2, "A title") + Bytes.varintField(22, 7)
        let cases: [(String, [UInt8])] = [
            // Fields out of v1 order, a singular scalar twice (the last wins), a sub-message twice (they merge).
            ("out of order", Bytes.varintField(22, 7) + Bytes.string(2, "A title") + Bytes.string(1, "l1")),
            ("a scalar twice", record + Bytes.varintField(22, 9)),
            (
                "a sub-message twice",
                Bytes.field(4, Bytes.varintField(2, 5)) + Bytes.field(4, Bytes.varintField(3, 6))
            ),
            // A timestamp with a field Timestamp does not declare.
            (
                "a timestamp's unknown field",
                record + Bytes.field(13, Bytes.varintField(1, 60) + Bytes.varintField(9, 1))
            ),
            // A map entry whose value comes before its key.
            ("value before key", Bytes.field(8, Bytes.string(2, "v") + Bytes.string(1, "k"))),
        ]
        for (name, bytes) in cases {
            let (one, two) = try Self.both(transcoder, bytes)
            #expect(one == nil, "\(name)")
            #expect(two != nil, "\(name)")
            #expect(try Check.check(engine, bytes, name))
        }
    }

    /// A plan converting a `google.protobuf.Timestamp` that its own schema declares with `body` (not the well-known
    /// type).
    static func ownTimestampPlan(_ body: String) throws -> MigrationPlan {
        let v1 = try ProtoCompiler(importPaths: []).compile(
            source: "syntax = \"proto3\";\npackage r;\nmessage Rec { string id = 1; int64 ts_ms = 2; }",
            fileName: "v1.proto"
        ).schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(
            source: """
                syntax = "proto3";
                package google.protobuf;
                message Timestamp { \(body) }
                message Rec { string id = 1; Timestamp ts = 2; }
                """, fileName: "v2.proto"
        ).schema()
        return try MigrationPlan(
            name: "own-timestamp", v1: PlanSchema(schema: v1, messageName: "r.Rec"),
            v2: PlanSchema(schema: v2, messageName: "google.protobuf.Rec"),
            whitelist: [.init(field: "id"), .init(field: "ts_ms", from: "ts", convert: .timestampMillis)])
    }

    @Test func aTimestampTheSchemaDeclaresOtherwiseTakesTheGeneralPath() throws {
        let payload = Bytes.string(1, "k") + Bytes.field(2, Bytes.varintField(1, 5) + Bytes.varintField(2, 7))
        for body in ["int64 seconds = 1;", "oneof t { int64 seconds = 1; int32 nanos = 2; }", "fixed64 seconds = 1;"] {
            let engine = DiffEngine(plan: try Self.ownTimestampPlan(body))
            let transcoder = try #require(engine.transcoder)
            #expect(transcoder.generalEntries == ["ts_ms"], "\(body)")
            let pass = try #require(transcoder.singlePass, "\(body)")
            #expect(pass.handling(ofSlot: 1) == .recorded, "\(body)")
            let (one, two) = try Self.both(transcoder, payload)
            if let one {
                #expect(one.bytes == two?.bytes && one.unknownFields == two?.unknownFields, "\(body)")
            }
            try Check.check(engine, payload, body)
        }
        // The well-known type's shape is read in the pass.
        let standard = try #require(
            DiffEngine(plan: try Self.ownTimestampPlan("int64 seconds = 1; int32 nanos = 2;")).transcoder)
        #expect(standard.generalEntries.isEmpty)
        #expect(try #require(standard.singlePass).handling(ofSlot: 1) == .timestamp)
    }

    @Test func unknownFieldsAreCountedAtEveryLevel() throws {
        let (engine, transcoder) = try Self.catalog()
        // An undeclared top-level field, a mistyped title (a varint: an unknown field), and an undeclared field
        // inside a supplier.
        let bytes =
            Bytes.string(1, "l1") + Bytes.varintField(2, 3)
            + Bytes.field(6, Bytes.string(1, "s1") + Bytes.varintField(40, 1))
            + Bytes.varintField(90, 1)
        let (one, two) = try Self.both(transcoder, bytes)
        let answered = try #require(one)
        #expect(answered.unknownFields == 3)
        #expect(answered.bytes == two?.bytes && answered.unknownFields == two?.unknownFields)
        #expect(try Check.check(engine, bytes, "unknown fields"))
    }

    @Test func malformedPayloadsAreDeclinedByBoth() throws {
        let (_, transcoder) = try Self.catalog()
        let record = Self.labels([("a", "1")])
        for cut in [1, 5, record.count / 2, record.count - 1] {
            let (one, two) = try Self.both(transcoder, Array(record[..<cut]))
            #expect(one == nil && two == nil, "cut at \(cut)")
        }
        // A title that is not UTF-8 (proto3 strings must be).
        let (one, two) = try Self.both(transcoder, Bytes.field(2, [0xFF, 0xFE]))
        #expect(one == nil && two == nil)
    }
}
