import Foundation
import Tandem
import TandemProto

/// A fleet's gate and breaker as `tandem status` prints them: text for people, JSON for scripts.
package enum FleetStatusText {
    /// `status` of the ledger named `ledger` (shown without a password), in `format` (`text` or `json`).
    package static func render(_ status: FleetStatus, ledger: String, format: String) -> String {
        format == "json"
            ? value(status, ledger: ledger).jsonString(options: JSONWritingOptions(pretty: true)) : text(status, ledger)
    }

    private static func instant(_ millis: Int64) -> String {
        JSONReport.timestamp(Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    private static func text(_ status: FleetStatus, _ ledger: String) -> String {
        let counts = status.window.total
        var out = "fleet ledger \(ledger)\n"
        if let breaker = status.breaker {
            out +=
                "  breaker: \(breaker.state.rawValue) (version \(status.version) since \(instant(status.changedAt)), "
            out += "\(breaker.reason), by \(breaker.by); open period \(breaker.backoff)x)\n"
        } else {
            out += "  breaker: no instance has run yet\n"
        }
        out += "  window: \(counts.compared) comparisons, \(counts.mismatched) mismatched, consistency "
        out += "\(counts.consistency) [\(status.interval.lower), \(status.interval.upper)] at "
        out += "\(status.interval.confidence)\n"
        out += "  gate: \(status.verdict.reason)\n"
        out += "  instances (\(status.instances.count)):"
        for instance in status.instances {
            out +=
                "\n    \(instance.name)  \(instance.window.compared) compared, \(instance.window.mismatched) mismatched"
            if let second = instance.lastSeen { out += "; last seen \(instant(second * 1000))" }
            if let version = instance.appliedVersion {
                out += "; applied version \(version)"
                if let at = instance.appliedAt { out += " at \(instant(at))" }
            }
        }
        return out
    }

    private static func value(_ status: FleetStatus, ledger: String) -> JSONValue {
        let counts = status.window.total
        var breaker: [JSONValue.Member] = [
            .init("state", .string(status.breaker?.state.rawValue ?? "none")),
            .init("version", .integer(status.version)),
        ]
        if let state = status.breaker {
            breaker += [
                .init("changed_at", .string(instant(status.changedAt))), .init("by", .string(state.by)),
                .init("reason", .string(state.reason)), .init("backoff", .integer(state.backoff)),
                .init("halting", .bool(state.state.isHalting)),
            ]
        }
        return .object([
            .init("ledger", .string(ledger)),
            .init("breaker", .object(breaker)),
            .init(
                "window",
                .object([
                    .init("compared", .integer(counts.compared)), .init("mismatched", .integer(counts.mismatched)),
                    .init("consistency", JSONReport.number(counts.consistency)),
                    .init(
                        "interval",
                        .object([
                            .init("low", JSONReport.number(status.interval.lower)),
                            .init("high", JSONReport.number(status.interval.upper)),
                            .init("confidence", JSONReport.number(status.interval.confidence)),
                        ])),
                ])),
            .init(
                "gate",
                .object([
                    .init("min_consistency", JSONReport.number(status.gate.minConsistency)),
                    .init("min_samples", .integer(status.gate.minSamples)),
                    .init("passed", .bool(status.verdict.passed)),
                    .init("inconclusive", .bool(status.verdict.inconclusive)),
                    .init("reason", .string(status.verdict.reason)),
                ])),
            .init(
                "instances",
                .array(
                    status.instances.map { instance in
                        .object([
                            .init("name", .string(instance.name)),
                            .init("compared", .integer(instance.window.compared)),
                            .init("mismatched", .integer(instance.window.mismatched)),
                            .init("last_seen", instance.lastSeen.map { .string(instant($0 * 1000)) } ?? .null),
                            .init("applied_version", instance.appliedVersion.map { .integer($0) } ?? .null),
                            .init("applied_at", instance.appliedAt.map { .string(instant($0)) } ?? .null),
                        ])
                    })),
        ])
    }
}
