import Foundation
import Tandem
import TandemProto
import Testing

/// Running a plan backwards for `backfill --direction v1-to-v2` (DESIGN 11).
@Suite("Plan inversion")
struct PlanInversionTests {
    @Test func theCatalogPlanDoesNotInvertAndSaysWhereAndWhy() throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("catalog"))
        #expect {
            try PlanInversion(plan: plan)
        } throws: { error in
            guard let error = error as? PlanInversionError else { return false }
            let text = error.description
            // PREORDER and BACKORDER both become BACKORDERED; supplier is copied and two of its fields are moved out.
            return error.errors.allSatisfy { $0.code == .notInvertible && $0.line != nil }
                && text.contains("availability") && text.contains("BACKORDERED") && text.contains("supplier")
        }
    }

    @Test(arguments: ["user-profile", "orders"])
    func theExamplePlansInvertAndTheirRecordsRoundTrip(name: String) throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory(name))
        let inversion = try PlanInversion(plan: plan)
        let diff = DiffEngine(plan: plan)
        let v1JSON =
            name == "user-profile"
            ? #"{"id":"u1","displayName":"Ada","createdMs":"-1500","status":"DISABLED","email":"a@b.c","lastSeenMs":"9","tags":["x","y","x"]}"#
            : #"{"orderId":"o1","items":[{"sku":"s","quantity":2,"priceCents":"300"},{}],"attributes":{"k":"v","":""},"invoiceId":"inv","totalCents":-7,"tags":["b","a"]}"#
        let v1 = try DynamicMessage(jsonString: v1JSON, descriptor: plan.v1Message, schema: plan.v1.schema)
        let built = try inversion.invert(v1, key: name == "user-profile" ? "u1" : "o1").get()
        let comparison = try #require(
            diff.compare(shadowPayload: v1.serializedBytes(), primaryPayload: built.serializedBytes()))
        #expect(comparison.diffs.isEmpty, "\(comparison.diffs)")
        if name == "user-profile" {
            // timestamp_millis runs back exactly, negative milliseconds included; SUSPENDED becomes DISABLED.
            let created = try #require(built.get(named: "created_at")?.messageValue)
            #expect(created.get(named: "seconds") == .int64(-2))
            #expect(created.get(named: "nanos") == .int32(500_000_000))
            #expect(built.get(named: "status") == .enumValue(2))
            #expect(built.get(named: "profile")?.messageValue?.get(named: "display_name") == .string("Ada"))
            #expect(!built.has(named: "locale"))
        }
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -1, Int64.max])
    func millisecondsAtTheEdgesOfInt64InvertWithoutATrap(millis: Int64) throws {
        let plan = try MigrationPlan.load(directory: PlanTestSupport.migrationDirectory("user-profile"))
        var v1 = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        try v1.set(named: "created_ms", to: .int64(millis))
        let built = try PlanInversion(plan: plan).invert(v1, key: "u1").get()
        let created = try #require(built.get(named: "created_at")?.messageValue)
        let seconds = Int128(created.get(named: "seconds")?.int64Value ?? 0)
        let nanos = Int128(created.get(named: "nanos")?.int64Value ?? 0)
        // The Timestamp holds exactly the milliseconds (whether it projects back is the backfill's check).
        #expect(seconds * 1000 + nanos / 1_000_000 == Int128(millis))
        #expect(nanos >= 0 && nanos < 1_000_000_000)
    }

    @Test func aPlanThatCannotRunBackwardsIsRefusedWithEveryReason() throws {
        let yaml = """
            name: lossy
            v1: { proto: v1.proto, message: acme.user.v1.UserProfile }
            v2: { proto: v2.proto, message: acme.user.v2.UserProfile }
            key: id
            whitelist:
              - field: id
              - field: display_name
                from: email_address
              - field: email
                from: email_address
              - field: status
                convert: { enum: { ACTIVE: ACTIVE, SUSPENDED: ACTIVE } }
              - field: tags
                from: labels
                convert: upper
            """
        var converts = ConvertRegistry()
        converts.register(name: "upper") { value in value }
        let directory = try PlanTestSupport.planDirectory(yaml: yaml)
        let plan = try MigrationPlan.load(directory: directory, converts: converts)
        do {
            _ = try PlanInversion(plan: plan)
            Issue.record("the plan was not refused")
        } catch {
            #expect(error.errors.count == 3, "\(error)")
            #expect(error.errors.allSatisfy { $0.code == .notInvertible && $0.file?.hasSuffix("tandem.yaml") == true })
            let entries = error.errors.map { $0.entry ?? "" }
            #expect(entries == ["whitelist[2] (email)", "whitelist[3] (status)", "whitelist[4] (tags)"])
            #expect(error.errors.map(\.line) == [9, 11, 13])
            #expect(error.errors[0].reason.contains("email_address also feeds 'display_name'"))
            #expect(error.errors[1].reason.contains("ACTIVE and SUSPENDED become ACTIVE"))
            #expect(error.errors[2].reason.contains("'upper' has no inverse"))
            #expect(error.description.contains("tandem.yaml:11: whitelist[3] (status)"))
        }
    }

    @Test func aValueTheV2FieldCannotHoldFailsItsRecordAlone() throws {
        let plan = try PlanTestSupport.narrowPlan(
            v1Fields: "string id = 1; int64 count = 2; bytes note = 3;",
            v2Fields: "string id = 1; int32 count = 2; string note = 3;",
            rest: "whitelist:\n  - field: count\n  - field: note\n    convert: string_bytes\n")
        let inversion = try PlanInversion(plan: plan)
        let diff = DiffEngine(plan: plan)

        var fits = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        try fits.set(named: "count", to: .int64(-5))
        try fits.set(named: "note", to: .bytes(Array("hé".utf8)))
        let built = try inversion.invert(fits, key: "k1").get()
        // The key field is set from the row's key, since no entry fills it.
        #expect(built.get(named: "id") == .string("k1"))
        #expect(built.get(named: "count") == .int32(-5))
        #expect(built.get(named: "note") == .string("hé"))
        #expect(
            diff.compare(shadowPayload: fits.serializedBytes(), primaryPayload: built.serializedBytes())?.diffs.isEmpty
                == true)

        var tooBig = fits
        try tooBig.set(named: "count", to: .int64(Int64(Int32.max) + 1))
        #expect(throws: PlanInversion.Failure.self) { try inversion.invert(tooBig, key: "k2").get() }
        if case .failure(let failure) = inversion.invert(tooBig, key: "k2") {
            #expect(failure.path == "count")
            #expect(failure.reason.contains("does not fit"))
        }
        var notText = fits
        try notText.set(named: "note", to: .bytes([0xFF, 0xFE]))
        if case .failure(let failure) = inversion.invert(notText, key: "k3") {
            #expect(failure.path == "note")
        } else {
            Issue.record("bytes that are not UTF-8 became a v2 string")
        }
    }
}
