import Tandem

extension MarkdownReport {
    /// The most listed keys shown (the JSON report and the ledger hold them all).
    static let maxJobEntries = 20

    /// What a backfill or repair run did: its counts, then the first keys it repaired or could not fill.
    static func jobSection(_ job: Report.Job) -> String {
        let title = job.kind == .backfill ? "Backfill \(plain(job.direction?.rawValue ?? ""))" : "Repair"
        var out = "#### \(title)\(job.dryRun ? " (dry run)" : "")\(job.complete ? "" : " (stopped before the end)")\n\n"
        out +=
            "| Keys | \(job.dryRun ? "Would write" : "Written") | Unchanged | Raced | Deleted | Failed | Missing in primary |\n"
        out += "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        out +=
            "| \(job.scanned) | \(job.written) | \(job.unchanged) | \(job.raced) | \(job.tombstoned) | \(job.failed) "
        out += "| \(job.missingInPrimary) |\n\n"
        guard !job.entries.isEmpty else { return out }
        out += "| Key | Action | Detail |\n| --- | --- | --- |\n"
        for entry in job.entries.prefix(maxJobEntries) {
            let detail = entry.reason ?? entry.newHash.map { "new " + $0.prefix(12) } ?? ""
            out += "| \(code(entry.key)) | \(code(entry.action.rawValue)) | \(plain(oneLine(detail))) |\n"
        }
        let more = job.entries.count - min(job.entries.count, maxJobEntries) + job.entriesOmitted
        if more > 0 { out += "\n\(more) more keys in the full report.\n" }
        return out + "\n"
    }
}
