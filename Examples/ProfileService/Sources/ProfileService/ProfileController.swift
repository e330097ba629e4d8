import Foundation
import Hummingbird
import Prometheus
import SwiftProtobuf
import Tandem
import TandemReports

/// The HTTP routes: profiles in and out as JSON (protobuf's JSON mapping), protobuf at rest through the migration.
struct ProfileController: Sendable {
    let migration: ProfileMigration
    let bug: BugInjector?
    let startedAt = Date()

    func register(on router: Hummingbird.Router<BasicRequestContext>, metrics: PrometheusCollectorRegistry) {
        router.put("/profiles/:id") { request, context in try await put(request, context) }
        router.get("/profiles/:id") { _, context in try get(context) }
        router.get("/tandem/status") { _, _ in try status() }
        router.get("/tandem/report") { _, _ in
            let report = migration.engine.report(source: "profile-service", startedAt: startedAt, timeline: [])
            return json(JSONReport.render(report))
        }
        router.put("/tandem/stage/:stage") { _, context in try setStage(context) }
        router.post("/tandem/breaker/reset") { _, _ in
            migration.engine.breaker.reset()
            return try status()
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
    }

    func put(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let body = try await request.body.collect(upTo: 64 * 1024)
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        var profile: ProfileV2
        do {
            profile = try ProfileV2(jsonUTF8Data: Data(buffer: body), options: options)
        } catch {
            throw HTTPError(.badRequest, message: "the body is not a v2 UserProfile in JSON: \(error)")
        }
        profile.id = id
        let legacy = LegacyProfile.record(from: profile)
        bug?.corrupt(&profile)
        do {
            let receipt = try await migration.write(profile, legacy: legacy)
            return json(#"{"key":\#(quoted(receipt.key)),"seq":\#(receipt.seq)}"#)
        } catch {
            throw HTTPError(error.code == .write ? .serviceUnavailable : .badRequest, message: error.description)
        }
    }

    func get(_ context: BasicRequestContext) throws -> Response {
        let id = try context.parameters.require("id")
        let record: TandemRecord<ProfileV2, ProfileV1>?
        do {
            record = try migration.read(key: id)
        } catch {
            throw HTTPError(.internalServerError, message: error.description)
        }
        switch record {
        case nil:
            throw HTTPError(.notFound, message: "no profile \(id)")
        case .v2(let profile, let row):
            return json(#"{"source":"v2","seq":\#(row.seq),"profile":\#(try profile.jsonString())}"#)
        case .legacy(let profile, let row):
            // The legacy store answered (stage, canary or breaker): the v1 record is served as the old code did.
            return json(#"{"source":"legacy","seq":\#(row.seq),"profile":\#(try profile.jsonString())}"#)
        }
    }

    func setStage(_ context: BasicRequestContext) throws -> Response {
        let name = try context.parameters.require("stage")
        guard let stage = MigrationStage(rawValue: name) else {
            throw HTTPError(.badRequest, message: "unknown stage \(name)")
        }
        migration.stage = stage
        return try status()
    }

    func status() throws -> Response {
        let snapshot = migration.consistency
        let sampling = migration.engine.sampling
        let status = TandemStatus(
            stage: migration.stage.rawValue,
            consistency: snapshot.consistency,
            interval: .init(
                lower: snapshot.interval.lower, upper: snapshot.interval.upper,
                confidence: snapshot.interval.confidence),
            totals: .init(
                compared: snapshot.totals.compared, matched: snapshot.totals.matched,
                mismatched: snapshot.totals.mismatched, inFlight: snapshot.totals.inFlight, shed: snapshot.totals.shed),
            sampling: .init(
                comparisonBudget: migration.comparisonBudget.description, budgetOffered: sampling.budgetOffered,
                budgetSkipped: sampling.budgetSkipped,
                effectiveSampleRate: sampling.effectiveRate(shed: snapshot.totals.shed)),
            breaker: migration.breakerState.rawValue,
            breakerTripped: snapshot.breakerTripped,
            verdict: snapshot.verdict.outcome.rawValue,
            mismatchGroups: migration.mismatchGroups.prefix(5).map {
                .init(path: $0.path, kind: $0.kind.rawValue, count: $0.count)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return json(String(decoding: try encoder.encode(status), as: UTF8.self))
    }

    private func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    private func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The body of `/tandem/status`.
struct TandemStatus: Codable, Sendable {
    struct Interval: Codable, Sendable {
        var lower: Double
        var upper: Double
        var confidence: Double
    }
    struct Totals: Codable, Sendable {
        var compared: Int
        var matched: Int
        var mismatched: Int
        var inFlight: Int
        var shed: Int
    }
    struct Sampling: Codable, Sendable {
        var comparisonBudget: String
        var budgetOffered: Int
        var budgetSkipped: Int
        var effectiveSampleRate: Double
    }
    struct Group: Codable, Sendable {
        var path: String
        var kind: String
        var count: Int
    }
    var stage: String
    var consistency: Double
    var interval: Interval
    var totals: Totals
    var sampling: Sampling
    var breaker: String
    var breakerTripped: Bool
    var verdict: String
    var mismatchGroups: [Group]
}
