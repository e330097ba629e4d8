import Tandem
import TandemProto

/// A rollout as `tandem rollout` prints it (text or the report's JSON form), and the one wording of its state that
/// every report uses.
package enum RolloutText {
    /// `halted (the breaker opened)`, `paused`, `done` or `running`.
    package static func state(_ rollout: RolloutStatus) -> String {
        rollout.halted
            ? "halted (the breaker opened)" : rollout.paused ? "paused" : rollout.finished ? "done" : "running"
    }

    /// The rollout after `decision` (when a command took one), in `format` (`text` or `json`).
    package static func render(_ status: RolloutStatus, decision: RolloutDecision?, plan: String, format: String)
        -> String
    {
        if format == "json" {
            return JSONReport.rolloutValue(status).jsonString(options: JSONWritingOptions(pretty: true))
        }
        var out = ""
        if let decision { out += "\(decision.reason): now at \(decision.step)\n" }
        out += "rollout of plan \(plan): \(status.step), \(state(status))\n"
        out += "  since the step began: \(status.compared) comparisons, consistency \(status.consistency)\n"
        out += "  decisions:"
        for decision in status.decisions {
            out += "\n    \(ReportText.timestamp(decision.at))  \(decision.reason.rawValue) -> \(decision.step)"
            out += "  (consistency \(decision.consistency) over \(decision.samples))"
        }
        return out
    }
}
