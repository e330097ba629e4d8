import TandemProto
import Testing

@testable import Tandem

/// A v1/v2 schema pair exercising every comparison rule, each compiled into its own pool.
enum DiffFixture {
    static let v1Source = """
        syntax = "proto3";
        package t;
        enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
        message Sub { string name = 1; int32 n = 2; }
        message Rec {
          int32 i32 = 1;
          string s = 2;
          optional string opt = 3;
          double d = 4;
          float f = 5;
          repeated int32 nums = 6;
          map<string, int32> attrs = 7;
          Color color = 8;
          int64 created_ms = 9;
          Sub sub = 10;
          oneof choice { string a = 11; int32 b = 12; }
          repeated string tags = 13;
          bytes blob = 14;
          int32 narrow = 15;
          string display = 16;
          optional int32 mixed = 17;
          map<int32, string> codes = 18;
          string not_whitelisted = 19;
        }
        """

    static let v2Source = """
        syntax = "proto3";
        package t;
        import "google/protobuf/timestamp.proto";
        enum Color { COLOR_UNSPECIFIED = 0; GREEN = 1; RED = 2; BLUE = 3; }
        message Sub { int32 n = 1; string name = 2; string extra = 3; }
        message Profile { string display = 1; }
        message Rec {
          int64 i32 = 1;
          string s = 2;
          optional string opt = 3;
          double d = 4;
          float f = 5;
          repeated int32 nums = 6;
          map<string, int32> attrs = 7;
          Color color = 8;
          google.protobuf.Timestamp created = 9;
          Sub sub = 10;
          oneof choice { string a = 11; int32 b = 12; }
          repeated string tags = 13;
          bytes blob = 14;
          int64 narrow = 15;
          Profile profile = 16;
          int32 mixed = 17;
          map<int64, string> codes = 18;
          string v2_only = 20;
        }
        """

    static func plan(ignore: [FieldPath] = [], tolerance: Double = 0) throws -> MigrationPlan {
        let v1 = try ProtoCompiler(importPaths: []).compile(source: v1Source, fileName: "v1.proto").schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(source: v2Source, fileName: "v2.proto").schema()
        return try MigrationPlan(
            name: "fixture", v1: PlanSchema(schema: v1, messageName: "t.Rec"),
            v2: PlanSchema(schema: v2, messageName: "t.Rec"),
            whitelist: [
                .init(field: "i32"), .init(field: "s"), .init(field: "opt"), .init(field: "d"), .init(field: "f"),
                .init(field: "nums"), .init(field: "attrs"), .init(field: "color"),
                .init(field: "created_ms", from: "created", convert: .timestampMillis), .init(field: "sub"),
                .init(field: "a"), .init(field: "b"), .init(field: "tags"), .init(field: "blob"),
                .init(field: "narrow"),
                .init(field: "display", from: "profile.display"), .init(field: "mixed"), .init(field: "codes"),
            ],
            compare: CompareOptions(ignore: ignore, unordered: ["tags"], floatTolerance: tolerance))
    }

    static func v1(_ plan: MigrationPlan) -> DynamicMessage {
        DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
    }

    static func v2(_ plan: MigrationPlan) -> DynamicMessage {
        DynamicMessage(descriptor: plan.v2Message, schema: plan.v2.schema)
    }

    /// A message of the named type in the pool of `plan`'s v1 or v2 side.
    static func message(_ name: String, v2 side: Bool, _ plan: MigrationPlan) throws -> DynamicMessage {
        let schema = side ? plan.v2.schema : plan.v1.schema
        let type = try #require(schema.message(named: name))
        return DynamicMessage(descriptor: type, schema: schema)
    }

    /// Builds a v2 record with `build`, projects it, and diffs a v1 shadow built with `shadow` against it.
    static func diffs(
        _ plan: MigrationPlan, v2 build: (inout DynamicMessage) throws -> Void,
        shadow: (inout DynamicMessage) throws -> Void
    ) throws -> [String] {
        var primary = v2(plan)
        try build(&primary)
        var shadowMessage = v1(plan)
        try shadow(&shadowMessage)
        // Round-trip the shadow through the wire, as the store does.
        let decoded = try DynamicMessage(
            decoding: shadowMessage.serializedBytes(), as: plan.v1Message, schema: plan.v1.schema)
        let engine = DiffEngine(plan: plan)
        return engine.diff(shadow: decoded, primary: engine.projection.project(primary)).map {
            "\($0.path) \($0.kind.rawValue)"
        }
    }
}
