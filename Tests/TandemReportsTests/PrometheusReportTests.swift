import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

@Suite struct PrometheusReportTests {
    /// The samples of a family, by name, as parsed by prometheus_client.
    func samples(_ families: JSONValue, _ family: String) -> [JSONValue] {
        families.arrayElements?.first { $0["name"]?.stringValue == family }?["samples"]?.arrayElements ?? []
    }

    @Test func prometheusClientParsesHostileLabelsBackExactly() throws {
        let report = HostileReport.report()
        let families = try Validators.check(Validators.prometheus, PrometheusReport.render(report))

        let comparisons = samples(families, "tandem_comparisons")
        func comparison(_ result: String) -> Double? {
            comparisons.first { $0["labels"]?["result"]?.stringValue == result }?["value"]?.doubleValue
        }
        #expect(comparison("match") == 863)
        #expect(comparison("mismatch") == 17)
        #expect(comparison("in_flight") == 2)
        #expect(comparison("shed") == 1)

        let info = samples(families, "tandem_info")
        #expect(info.count == 1)
        #expect(sameBytes(info.first?["labels"]?["plan"]?.stringValue ?? "", report.plan))
        #expect(
            sameBytes(info.first?["labels"]?["plan_fingerprint"]?.stringValue ?? "", lineSafe(report.planFingerprint)))

        // Every cohort name, newlines, quotes and backslashes included, reads back as it was.
        let cohorts = Set(
            samples(families, "tandem_cohort_comparisons").compactMap { $0["labels"]?["cohort"]?.stringValue })
        #expect(cohorts.count == report.cohorts.count)
        for name in report.cohorts.keys {
            #expect(cohorts.contains { sameBytes($0, lineSafe(name)) }, "cohort \(name.debugDescription)")
        }

        // A value that looks like exposition text did not inject a sample.
        let gatePassed =
            families.arrayElements?.flatMap { $0["samples"]?.arrayElements ?? [] }
            .filter { $0["name"]?.stringValue == "tandem_gate_passed" } ?? []
        #expect(gatePassed.count == 1)
        #expect(gatePassed.first?["value"]?.doubleValue == 0)

        #expect(samples(families, "tandem_breaker_open").first?["value"]?.doubleValue == 1)
        let kinds = samples(families, "tandem_mismatches")
        #expect(
            kinds.reduce(0) { $0 + ($1["value"]?.doubleValue ?? 0) }
                == Double(report.fields.reduce(0) { $0 + $1.count }))
        #expect(samples(families, "tandem_field_mismatches").count == report.fields.count)
        let consistency = samples(families, "tandem_consistency").first?["value"]?.doubleValue ?? 0
        #expect(abs(consistency - report.consistency) < 1e-12)
        let types = Dictionary(
            (families.arrayElements ?? []).compactMap { f in
                f["name"]?.stringValue.map { ($0, f["type"]?.stringValue ?? "") }
            },
            uniquingKeysWith: { a, _ in a })
        #expect(types["tandem_comparisons"] == "counter")
        #expect(types["tandem_consistency"] == "gauge")
        #expect(types["tandem_gate_passed"] == "gauge")
    }

    @Test func anEmptyReportParses() throws {
        let families = try Validators.check(Validators.prometheus, PrometheusReport.render(HostileReport.empty()))
        #expect(samples(families, "tandem_gate_inconclusive").first?["value"]?.doubleValue == 1)
        #expect(samples(families, "tandem_breaker_state").first?["value"]?.doubleValue == 0)
    }

    @Test func failedHalfOpenProbesAreCountedAsFlapsInPrometheusAndJSON() throws {
        var report = HostileReport.empty()
        let at = report.startedAt
        report.transitions = [
            .init(at: at, from: .closed, to: .open, mismatchRate: 0.2, samples: 1000),
            .init(at: at + 30, from: .open, to: .halfOpen, mismatchRate: 0.2, samples: 1000),
            .init(at: at + 30, from: .halfOpen, to: .open, mismatchRate: 0.2, samples: 100),
            .init(at: at + 90, from: .open, to: .halfOpen, mismatchRate: 0.2, samples: 100),
            .init(at: at + 90, from: .halfOpen, to: .open, mismatchRate: 0.3, samples: 100),
            .init(at: at + 210, from: .open, to: .halfOpen, mismatchRate: 0.3, samples: 100),
            .init(at: at + 210, from: .halfOpen, to: .closed, mismatchRate: 0, samples: 100),
        ]
        #expect(report.breakerFlaps == 2)
        let families = try Validators.check(Validators.prometheus, PrometheusReport.render(report))
        #expect(samples(families, "tandem_breaker_flaps").first?["value"]?.doubleValue == 2)
        let json = try JSONValue(parsing: Array(JSONReport.render(report).utf8))
        #expect(json["breaker"]?["flaps"]?.int64Value == 2)
    }

    /// What a label value reads back as: characters that break lines for some readers (and that the format cannot
    /// escape) are replaced.
    func lineSafe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let breaks: Set<UInt32> = [0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
            out.unicodeScalars.append(breaks.contains(scalar.value) ? "\u{FFFD}" : scalar)
        }
        return out
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewline() {
        #expect(PrometheusReport.labelValue("a\\b\"c\nd") == "a\\\\b\\\"c\\nd")
        #expect(PrometheusReport.labelValue("cr\rlf") == "cr\u{FFFD}lf")
        #expect(PrometheusReport.number(.nan) == "NaN")
        #expect(PrometheusReport.number(-.infinity) == "-Inf")
    }
}
