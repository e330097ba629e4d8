import Synchronization
import TandemProto

/// Counts, per field, the unknown fields that legacy v1 payloads carry when they are written, before the whitelist
/// trims them: numbers the v1 schema does not declare, and values a closed enum does not declare (decoding keeps
/// both as unknown fields). DESIGN 4: counted and reported apart, never as mismatches.
///
/// A field is named by its path through the v1 message (`address.99`, `items[*].7`; repeated and map values
/// normalised to `[*]`), ending in its number, or in its name when the number is declared (a closed enum's unknown
/// value: `status`).
final class LegacyUnknownFields: Sendable {
    private let counts = Mutex<[String: Report.LegacyUnknownField]>([:])

    /// Counts the unknown fields of a decoded legacy v1 record, at every depth.
    func record(_ legacy: DynamicMessage) {
        guard legacy.unknownFieldCountIncludingSubmessages > 0 else { return }
        var found: [String: Report.LegacyUnknownField] = [:]
        Self.collect(legacy, path: "", into: &found)
        counts.withLock { counts in
            for (path, field) in found { counts[path, default: field.with(count: 0)].count += field.count }
        }
    }

    /// Every field counted so far, most frequent first (then by path).
    var fields: [Report.LegacyUnknownField] {
        counts.withLock { Array($0.values) }.sorted { ($1.count, $0.path) < ($0.count, $1.path) }
    }

    /// How many unknown fields were counted, over every field.
    var total: Int { counts.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    private static func collect(
        _ message: DynamicMessage, path: String, into found: inout [String: Report.LegacyUnknownField]
    ) {
        if message.unknownFieldCount > 0 {
            for number in message.unknownFieldNumbers {
                let leaf = message.descriptor.field(number: number)?.name ?? String(number)
                let fieldPath = DiffPath.field(path, leaf)
                found[fieldPath, default: Report.LegacyUnknownField(path: fieldPath, number: number, count: 0)]
                    .count += 1
            }
        }
        for (position, field) in message.descriptor.fields.enumerated() where field.type.isMessage {
            let fieldPath = DiffPath.field(path, field.name)
            switch message.fieldValue(at: position) {
            case .single(.message(let sub)):
                collect(sub, path: fieldPath, into: &found)
            case .repeated(let values):
                for case .message(let sub) in values { collect(sub, path: fieldPath + "[*]", into: &found) }
            case .map(let entries):
                for case .message(let sub) in entries.values { collect(sub, path: fieldPath + "[*]", into: &found) }
            default:
                break
            }
        }
    }
}
