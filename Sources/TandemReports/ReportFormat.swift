/// A report format of the CLI contract (`--format json|csv|junit|html|md|prom`), with its file extension.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
    /// The JSON report of the contract (``JSONReport``).
    case json
    /// One row per sampled mismatch, RFC 4180 (``CSVReport``).
    case csv
    /// JUnit XML for CI test dashboards (``JUnitReport``).
    case junit
    /// One self-contained HTML page (``HTMLReport``).
    case html
    /// A Markdown summary for pull-request comments (``MarkdownReport``).
    case md
    /// Prometheus text exposition (``PrometheusReport``).
    case prom

    /// The file extension, without the dot: `json`, `csv`, `xml`, `html`, `md`, `prom`.
    public var fileExtension: String {
        switch self {
        case .json: "json"
        case .csv: "csv"
        case .junit: "xml"
        case .html: "html"
        case .md: "md"
        case .prom: "prom"
        }
    }

    /// The format named by `--format` (`json`, `csv`, `junit`, `html`, `md`, `prom`; case-insensitive; `xml` and
    /// `markdown` are accepted for `junit` and `md`).
    public init?(name: String) {
        switch name.lowercased() {
        case "xml": self = .junit
        case "markdown": self = .md
        case let other: self.init(rawValue: other)
        }
    }

    /// The format a path's extension implies (`report.xml` -> ``junit``; case-insensitive; `.htm` too), if any.
    public init?(path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let fileExtension = name[name.index(after: dot)...].lowercased()
        if fileExtension == "htm" {
            self = .html
            return
        }
        guard let format = ReportFormat.allCases.first(where: { $0.fileExtension == fileExtension }) else { return nil }
        self = format
    }
}
