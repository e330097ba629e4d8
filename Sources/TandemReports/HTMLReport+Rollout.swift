import Tandem

extension HTMLReport {
    /// The rollout's timeline beside the consistency chart: every decision, the step it led to, and its evidence.
    static func rolloutSection(_ rollout: RolloutStatus) -> String {
        var out = "<section id=\"rollout\">\n<h2>Rollout</h2>\n"
        out +=
            "<p>At <code>\(escapeText(rollout.step.description))</code>, \(escapeText(RolloutText.state(rollout))).</p>\n"
        let folds = rollout.decisions.count > foldRows
        if folds { out += "<details><summary>\(rollout.decisions.count) decisions</summary>\n" }
        out += "<table class=\"samples\">\n<thead><tr><th>At</th><th>Step</th><th>Reason</th><th>Consistency</th>"
        out += "<th>Samples</th></tr></thead>\n<tbody>\n"
        for decision in rollout.decisions {
            out += "<tr><td>\(escapeText(ReportText.timestamp(decision.at)))</td>"
            out += "<td><code>\(escapeText(decision.step.description))</code></td>"
            out += "<td>\(escapeText(decision.reason.rawValue))</td>"
            out += "<td>\(escapeText(ReportText.percent(decision.consistency)))</td><td>\(decision.samples)</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n" + (folds ? "</details>\n" : "") + "</section>\n"
    }
}
