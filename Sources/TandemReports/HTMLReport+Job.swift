import Tandem

extension HTMLReport {
    /// The most listed keys shown in the page (the JSON report and the ledger hold them all).
    static let maxJobEntries = 500

    /// What a backfill or repair run did: its counts and the keys it repaired or could not fill, in time order.
    static func jobSection(_ job: Report.Job) -> String {
        let title = job.kind == .backfill ? "Backfill \(escapeText(job.direction?.rawValue ?? ""))" : "Repair"
        var out = "<section id=\"job\">\n<h2>\(title)\(job.dryRun ? " (dry run: nothing written)" : "")</h2>\n"
        out += "<table class=\"totals\">\n<tr>"
        var counts: [(String, Int)] = [
            ("Keys", job.scanned), (job.dryRun ? "Would write" : "Written", job.written), ("Unchanged", job.unchanged),
            ("Raced", job.raced), ("Deleted", job.tombstoned), ("Failed", job.failed),
        ]
        if job.kind == .repair { counts += [("Missing in primary", job.missingInPrimary), ("Absent", job.absent)] }
        for (name, _) in counts { out += "<th>\(name)</th>" }
        out += "</tr>\n<tr>"
        for (_, count) in counts { out += "<td>\(count)</td>" }
        out += "</tr>\n</table>\n"
        out +=
            "<p>\(job.complete ? "The run reached the end of its keys" : "The run stopped before the end of its keys")"
        out += "\(job.resumed ? ", resuming an earlier run" : "").</p>\n"
        guard !job.entries.isEmpty else { return out + "</section>\n" }
        let shown = min(job.entries.count, maxJobEntries)
        let folds = shown > foldRows
        if folds { out += "<details><summary>\(shown) keys</summary>\n" }
        out +=
            "<table class=\"samples\">\n<thead><tr><th>At</th><th>Key</th><th>Action</th><th>Detail</th></tr></thead>\n<tbody>\n"
        for entry in job.entries.prefix(maxJobEntries) {
            let detail =
                entry.reason
                ?? [entry.oldHash.map { "old " + $0.prefix(12) }, entry.newHash.map { "new " + $0.prefix(12) }]
                .compactMap { $0 }.joined(separator: ", ")
            out +=
                "<tr><td>\(escapeText(ReportText.timestamp(entry.at)))</td><td><code>\(escapeText(name(entry.key)))</code></td>"
            out += "<td>\(escapeText(entry.action.rawValue))</td><td>\(escapeText(value(detail)))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if folds { out += "</details>\n" }
        let more = job.entries.count - min(job.entries.count, maxJobEntries) + job.entriesOmitted
        if more > 0 { out += "<p>\(more) more keys in the JSON report and the ledger.</p>\n" }
        return out + "</section>\n"
    }
}
