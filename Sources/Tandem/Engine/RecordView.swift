import TandemProto

/// One key's two records as `tandem diff` shows them: the shadow and the projected primary as proto3 JSON in the v1
/// shape (redacted paths replaced by their tokens), the rows' `seq`, and the diffs with proto3 JSON values.
package struct RecordView: Sendable {
    /// The record key.
    package let key: String
    /// The shadow record, `null` when the shadow has no row (a string when it does not decode).
    package let shadow: JSONValue
    /// The primary record projected onto the v1 shape, `null` when the primary has no row.
    package let projected: JSONValue
    /// The rows' `seq` (nil for a missing row).
    package let primarySeq: Int64?, shadowSeq: Int64?
    /// The differences, values rendered and redacted as in reports.
    package let diffs: [Report.Diff]

    /// The view of `pair` under the engine's plan (nothing is counted in the gate).
    package init(engine: MigrationEngine, pair: RecordPair) {
        key = pair.key
        let plan = engine.plan
        let redactor = engine.redactor
        primarySeq = pair.primary?.seq
        shadowSeq = pair.shadow?.seq
        func redacted(_ message: DynamicMessage) -> JSONValue {
            var json = (try? message.jsonValue()) ?? .string("(no JSON form)")
            for path in redactor.paths {
                json = Self.redact(
                    json, message: message, names: FieldPath(parsing: path).components[...],
                    redactor: redactor)
            }
            return json
        }
        if let bytes = pair.shadow?.payload,
            let message = try? DynamicMessage(
                decoding: bytes, as: plan.v1Message, schema: plan.v1.schema, options: engine.configuration.decoding)
        {
            shadow = redacted(message)
        } else {
            shadow = pair.shadow == nil ? .null : .string("(does not decode as \(plan.v1Message.fullName))")
        }
        if let bytes = pair.primary?.payload,
            let message = try? DynamicMessage(
                decoding: bytes, as: plan.v2Message, schema: plan.v2.schema, options: engine.configuration.decoding)
        {
            projected = redacted(engine.diffEngine.projection.project(message).message)
        } else {
            projected = pair.primary == nil ? .null : .string("(does not decode as \(plan.v2Message.fullName))")
        }
        // Decoded with the engine's options, as a run compares.
        let comparison = engine.diffEngine.compare(
            shadowPayload: pair.shadow?.payload, primaryPayload: pair.primary?.payload,
            options: engine.configuration.decoding)
        diffs = (comparison?.diffs ?? []).map { engine.reportDiff(redactor.redact($0)) }
    }

    /// Replaces the value at a redacted path with its token; a repeated or map field on the way is replaced whole.
    private static func redact(
        _ json: JSONValue, message: DynamicMessage, names: ArraySlice<String>, redactor: Redactor
    ) -> JSONValue {
        guard let name = names.first, let field = message.descriptor.field(named: name), message.has(named: name),
            let current = json[field.jsonName]
        else { return json }
        if names.count == 1 {
            let token: String
            if !field.isRepeated, let value = message.get(named: name) {
                token = redactor.token(for: value)
            } else {
                token = redactor.token(for: .string(current.jsonString()))
            }
            return json.setting(field.jsonName, to: .string(token))
        }
        if !field.isRepeated, case .message(let sub)? = message.get(named: name) {
            return json.setting(
                field.jsonName, to: redact(current, message: sub, names: names.dropFirst(), redactor: redactor))
        }
        return json.setting(field.jsonName, to: .string("redacted"))
    }
}

extension JSONValue {
    /// This object with the member `key` replaced (or added).
    func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(.init(key, value))
        }
        return .object(members)
    }
}
