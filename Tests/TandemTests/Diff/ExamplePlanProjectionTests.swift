import TandemProto
import Testing

@testable import Tandem

struct ExamplePlanProjectionTests {
    @Test func userProfileProjectsMovedConvertedAndRemappedFields() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        let v2 = plan.v2.schema
        var record = DynamicMessage(descriptor: plan.v2Message, schema: v2)
        try record.set(named: "id", to: .string("u1"))
        var profile = DynamicMessage(descriptor: try #require(v2.message(named: "acme.user.v2.Profile")), schema: v2)
        try profile.set(named: "display_name", to: .string("Ann"))
        try record.set(named: "profile", to: .message(profile))
        var created = DynamicMessage(
            descriptor: try #require(v2.message(named: "google.protobuf.Timestamp")), schema: v2)
        try created.set(named: "seconds", to: .int64(-1))
        try created.set(named: "nanos", to: .int32(999_999_999))
        try record.set(named: "created_at", to: .message(created))
        try record.set(named: "status", to: .enumValue(2))  // SUSPENDED
        try record.set(named: "locale", to: .string("fr"))
        let projected = Projection(plan: plan).project(record)
        #expect(projected.unrepresentable.isEmpty)
        #expect(projected.message.get(named: "display_name") == .string("Ann"))
        // -1 s + 999.999999 ms -> -1000 + 999 = -1 ms.
        #expect(projected.message.get(named: "created_ms") == .int64(-1))
        #expect(projected.message.get(named: "status") == .enumValue(2))  // DISABLED
        #expect(projected.message.descriptor.field(named: "locale") == nil)
    }

    @Test func legacyRecordIsTrimmedToTheWhitelist() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("orders"))
        var legacy = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        try legacy.set(named: "order_id", to: .string("o1"))
        try legacy.set(named: "total_cents", to: .int32(5))
        let trimmed = Projection(plan: plan).whitelist(legacy)
        #expect(trimmed == legacy)
        let ordersV2 = plan.v2.schema
        var big = DynamicMessage(descriptor: plan.v2Message, schema: ordersV2)
        try big.set(named: "total_cents", to: .int64(5_000_000_000))
        let engine = DiffEngine(plan: plan)
        let diffs = engine.diff(shadow: legacy, primary: engine.projection.project(big))
        #expect(
            diffs.contains(FieldDiff(path: "total_cents", kind: .changed, v1: .int32(5), v2: .int64(5_000_000_000))))
    }
}
