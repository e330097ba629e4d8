import Foundation
import Tandem
import TandemProto
import Testing

@testable import TandemReports

/// Backfill and repair runs in every report format (DESIGN 11): counts, listed keys, and the verdict by the job.
@Suite struct JobReportTests {
    static func report(failed: Int) -> Report {
        var report = HostileReport.empty()
        var job = Report.Job(kind: .repair)
        job.complete = true
        job.scanned = 12
        job.written = 2
        job.unchanged = 9
        job.failed = failed
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        job.entries = [
            Report.JobEntry(
                key: "<script>k1</script>", action: .repaired, oldHash: String(repeating: "a", count: 64),
                newHash: String(repeating: "b", count: 64), at: at),
            Report.JobEntry(key: "=k2", action: .repaired, newHash: String(repeating: "c", count: 64), at: at),
        ]
        if failed > 0 {
            job.entries.append(
                Report.JobEntry(key: "k3", action: .unrepairable, reason: "created_ms: the value does not fit", at: at))
        }
        report.source = "repair"
        report.job = job
        return report
    }

    @Test func theVerdictFollowsTheJobNotTheGate() {
        #expect(ReportVerdict(Self.report(failed: 0)) == .passed)
        #expect(ReportVerdict(Self.report(failed: 1)) == .failed)
    }

    @Test func jsonCarriesTheJobWithEveryKey() throws {
        let json = try JSONValue(parsing: JSONReport.render(Self.report(failed: 1)))
        let job = try #require(json["job"])
        #expect(job["kind"] == .string("repair"))
        #expect(job["written"]?.int64Value == 2)
        #expect(job["failed"]?.int64Value == 1)
        #expect(job["keys"]?.arrayElements?.count == 3)
        #expect(job["keys"]?[0]?["old_hash"]?.stringValue?.count == 64)
        #expect(job["keys"]?[1]?["old_hash"] == .null)
        #expect(job["keys"]?[2]?["reason"] == .string("created_ms: the value does not fit"))
        #expect(json["mismatches_truncated"] == .bool(false))
        #expect(json["keys_redacted"] == .bool(false))
        // A replay or verify report has no job.
        #expect(try JSONValue(parsing: JSONReport.render(HostileReport.empty()))["job"] == nil)
    }

    @Test func junitHasAJobCaseThatFailsOnlyWithUnresolvedKeys() throws {
        let failing = JUnitReport.render(Self.report(failed: 1))
        #expect(failing.contains("classname=\"tandem.job\" name=\"repair\""))
        #expect(failing.contains("1 key could not be done"))
        #expect(failing.contains("k3: unrepairable"))
        #expect(!failing.contains("consistency gate"))
        let passing = JUnitReport.render(Self.report(failed: 0))
        #expect(passing.contains("failures=\"0\""))
        #expect(!passing.contains("<failure"))
    }

    @Test func prometheusMarkdownAndHTMLShowTheCountsAndEscapeKeys() {
        let prom = PrometheusReport.render(Self.report(failed: 1))
        #expect(prom.contains("tandem_job_keys_total{job=\"repair\",direction=\"\",outcome=\"written\"} 2"))
        #expect(prom.contains("tandem_job_keys_total{job=\"repair\",direction=\"\",outcome=\"failed\"} 1"))
        #expect(prom.contains("tandem_job_complete{job=\"repair\",direction=\"\"} 1"))
        let markdown = MarkdownReport.render(Self.report(failed: 1))
        #expect(markdown.contains("#### Repair"))
        #expect(markdown.contains("| 12 | 2 | 9 | 0 | 0 | 1 | 0 |"))
        let html = HTMLReport.render(Self.report(failed: 1))
        #expect(html.contains("<h2>Repair</h2>"))
        #expect(!html.contains("<script>k1"))
        #expect(html.contains("&lt;script&gt;k1"))
        #expect(html.contains("unrepairable"))
    }
}
