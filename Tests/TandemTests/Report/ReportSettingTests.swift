import Foundation
import Tandem
import Testing

@Suite("Report settings")
struct ReportSettingTests {
    static let every: [Report.Setting] = [
        .v1Message("acme.user.v1.User"), .v2Message("acme.user.v2.User"), .key("id"), .key(nil),
        .whitelist(["id", "display_name", "created_ms"]), .whitelist([]), .minConsistency(0.9999),
        .confidence(0.95), .minSamples(1000), .window(.count(100_000)), .window(.seconds(300)),
        .window(.seconds(0.5)), .openSeconds(30), .halfOpenProbes(50), .sampleRate(0.25), .writeMode(.outbox),
        .writeMode(.atomic), .compareIgnore(["profile.bio"]), .compareUnordered(["tags", "labels"]),
        .redact(["ssn"]), .other(key: "budget", value: "5%"),
    ]

    @Test(arguments: every)
    func everySettingReadsBackFromItsSpelling(setting: Report.Setting) {
        #expect(Report.Setting(key: setting.key, value: setting.value) == setting)
    }

    @Test func theSpellingsAreTheReportContracts() {
        #expect(Report.Setting.window(.count(1000)).value == "1000 comparisons")
        #expect(Report.Setting.window(.seconds(300)).value == "300.0 s")
        #expect(Report.Setting.key(nil).value == "(from traffic)")
        #expect(Report.Setting.whitelist(["a", "b.c"]).value == "a, b.c")
        #expect(Report.Setting.minConsistency(0.9999).key == "gate.min_consistency")
        #expect(Report.Setting.writeMode(.atomic).key == "write mode")
    }

    @Test(arguments: [
        ("gate.min_consistency", "high"), ("gate.min_samples", "1e3"), ("gate.window", "1000"),
        ("gate.window", "many comparisons"), ("gate.window", "soon s"), ("write mode", "eventual"),
        ("breaker.half_open_probes", ""),
    ])
    func aKnownSettingWithAValueItCannotHoldIsRefused(key: String, value: String) {
        #expect(Report.Setting(key: key, value: value) == nil)
    }

    @Test func anUnknownSettingIsKeptAsWritten() {
        let setting = Report.Setting(key: "shadow.table", value: "tandem_v1")
        #expect(setting == .other(key: "shadow.table", value: "tandem_v1"))
    }
}
