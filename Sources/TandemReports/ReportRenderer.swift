import Tandem

/// Renders a `Report` in any ``ReportFormat``: the one entry point the CLI uses.
public enum ReportRenderer {
    /// `report` as text in `format`. Every format escapes every value it shows, and shows redacted values only as
    /// the tokens the report holds.
    public static func render(_ report: Report, as format: ReportFormat) -> String {
        switch format {
        case .json: JSONReport.render(report)
        case .csv: CSVReport.render(report)
        case .junit: JUnitReport.render(report)
        case .html: HTMLReport.render(report)
        case .md: MarkdownReport.render(report)
        case .prom: PrometheusReport.render(report)
        }
    }
}
