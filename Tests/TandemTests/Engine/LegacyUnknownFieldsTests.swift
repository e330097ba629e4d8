import Foundation
import TandemProto
import TandemTestSupport
import TandemTesting
import Testing

@testable import Tandem

/// What the legacy writer sends beyond the v1 schema (undeclared numbers, undeclared values of closed enums, at any
/// depth) is counted per field when written, before the whitelist trims it, into `totals.unknown_fields` and the
/// report's `legacy_unknown_fields`; it is never a mismatch.
@Suite("Legacy unknown fields")
struct LegacyUnknownFieldsTests {
    static let v1 = """
        syntax = "proto2";
        package t;
        enum Status { ACTIVE = 1; GONE = 2; }
        message Address { optional string city = 1; }
        message Rec {
          optional string id = 1;
          optional Status status = 2;
          optional Address address = 3;
          repeated Address previous = 4;
          optional string not_whitelisted = 5;
        }
        """
    static let v2 = """
        syntax = "proto3";
        package t;
        enum Status { STATUS_UNSPECIFIED = 0; ACTIVE = 1; GONE = 2; }
        message Address { string city = 1; }
        message Rec { string id = 1; Status status = 2; Address address = 3; repeated Address previous = 4; }
        """

    static func engine() throws -> MigrationEngine {
        let v1 = try ProtoCompiler(importPaths: []).compile(source: Self.v1, fileName: "v1.proto").schema()
        let v2 = try ProtoCompiler(importPaths: []).compile(source: Self.v2, fileName: "v2.proto").schema()
        let plan = try MigrationPlan(
            name: "legacy", v1: PlanSchema(schema: v1, messageName: "t.Rec"),
            v2: PlanSchema(schema: v2, messageName: "t.Rec"),
            whitelist: ["id", "status", "address", "previous"].map { .init(field: $0) })
        return try MigrationEngine(plan: plan, backend: InMemoryRecordBackend(mode: .outbox))
    }

    static func int(_ number: Int, _ value: Int64) -> [UInt8] { WireBytes.int(number, value) }
    static func bytes(_ number: Int, _ payload: [UInt8]) -> [UInt8] { WireBytes.bytes(number, payload) }

    @Test func unknownFieldsOfLegacyPayloadsAreCountedPerFieldAndNeverMismatch() async throws {
        let engine = try Self.engine()
        let city = Self.bytes(1, Array("Oslo".utf8))
        let v2 = Self.bytes(1, Array("k".utf8)) + Self.int(2, 1) + Self.bytes(3, city) + Self.bytes(4, city)
        // Legacy v1: the same record, plus field 99 at the top (twice), an undeclared closed-enum value in `status`
        // (it also sends the declared one last, which wins), field 7 inside `address` and inside an element of
        // `previous`, and a declared field the whitelist leaves out.
        let legacy =
            Self.bytes(1, Array("k".utf8)) + Self.int(2, 9) + Self.int(2, 1)
            + Self.bytes(3, city + Self.int(7, 1)) + Self.bytes(4, city + Self.bytes(7, [0x41]))
            + Self.int(99, 5) + Self.int(99, 6) + Self.bytes(5, Array("x".utf8))
        let clean = Self.bytes(1, Array("c".utf8))
        _ = try await engine.write(try engine.prepareWrite(key: "k", v2: v2, legacyV1: legacy))
        _ = try await engine.write(try engine.prepareWrite(key: "c", v2: clean, legacyV1: clean))
        engine.writer.waitForShadowWrites()

        // Nothing of it is a mismatch: the shadow keeps the whitelisted fields only.
        #expect(try engine.compare(key: "k")?.outcome == .match)
        #expect(try engine.compare(key: "c")?.outcome == .match)

        let report = engine.report(source: .replay, startedAt: Date(), timeline: [])
        #expect(
            report.legacyUnknownFields == [
                Report.LegacyUnknownField(path: "99", number: 99, count: 2),
                Report.LegacyUnknownField(path: "address.7", number: 7, count: 1),
                Report.LegacyUnknownField(path: "previous[*].7", number: 7, count: 1),
                Report.LegacyUnknownField(path: "status", number: 2, count: 1),
            ])
        #expect(report.totals.unknownFields == 5)
        #expect(report.totals.mismatched == 0)
    }

    @Test func aReportFromTheLedgerKeepsThePerFieldCounts() async throws {
        let engine = try Self.engine()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let v2 = Self.bytes(1, Array("k".utf8))
        _ = try await engine.write(try engine.prepareWrite(key: "k", v2: v2, legacyV1: v2 + Self.int(42, 1)))
        let report = engine.report(source: .replay, startedAt: Date(), timeline: [])
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let ledger = try Ledger.open(path: path)
        try ledger.checkpoint(report: report)
        let read = try Ledger.loadReport(path: path)
        #expect(read.legacyUnknownFields == [Report.LegacyUnknownField(path: "42", number: 42, count: 1)])
        #expect(read.totals.unknownFields == 1)
    }
}
