import Tandem

extension MarkdownReport {
    /// The rollout's timeline: every decision with the step it led to and its evidence.
    static func rolloutSection(_ rollout: RolloutStatus) -> String {
        var out = "#### Rollout: \(plain(rollout.step.description)), \(RolloutText.state(rollout))\n\n"
        out += "| At | Step | Reason | Consistency | Samples |\n| --- | --- | --- | ---: | ---: |\n"
        for decision in rollout.decisions {
            out += "| \(ReportText.timestamp(decision.at)) | \(plain(decision.step.description)) "
            out += "| \(code(decision.reason.rawValue)) | \(ReportText.percent(decision.consistency)) "
            out += "| \(decision.samples) |\n"
        }
        return out + "\n"
    }
}
