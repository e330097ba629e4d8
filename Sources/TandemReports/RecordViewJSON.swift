import Tandem
import TandemProto

/// One record's side-by-side view (`tandem diff --format json`) as a JSON object: `key`, `shadow`,
/// `primary_projected` and `diffs`, each diff as the JSON report writes it.
package enum RecordViewJSON {
    /// The view as one JSON object.
    package static func value(_ view: RecordView) -> JSONValue {
        .object([
            JSONReport.member("key", .string(view.key)), JSONReport.member("shadow", view.shadow),
            JSONReport.member("primary_projected", view.projected),
            JSONReport.member("diffs", .array(view.diffs.map(JSONReport.diff))),
        ])
    }
}
