import Foundation
import Tandem
import TandemProto

/// One key's records as `tandem diff` shows them: the shadow and the projected primary in proto3 JSON (v1 shape,
/// redacted), their `seq`, and the diffs.
struct RecordView {
    let key: String
    let shadow: JSONValue
    let projected: JSONValue
    let comparison: KeyComparison
    let seqs: (primary: Int64?, shadow: Int64?)

    init(engine: MigrationEngine, pair: RecordPair) {
        key = pair.key
        let plan = engine.plan
        let redactor = engine.redactor
        seqs = (pair.primary?.seq, pair.shadow?.seq)
        func redacted(_ message: DynamicMessage) -> JSONValue {
            var json = (try? message.jsonValue()) ?? .string("(no JSON form)")
            for path in redactor.paths {
                json = Self.redact(
                    json, message: message, names: path.split(separator: ".").map(String.init)[...],
                    redactor: redactor)
            }
            return json
        }
        if let bytes = pair.shadow?.payload,
            let message = try? DynamicMessage(decoding: bytes, as: plan.v1Message, schema: plan.v1.schema)
        {
            shadow = redacted(message)
        } else {
            shadow = pair.shadow == nil ? .null : .string("(does not decode as \(plan.v1Message.fullName))")
        }
        if let bytes = pair.primary?.payload,
            let message = try? DynamicMessage(decoding: bytes, as: plan.v2Message, schema: plan.v2.schema)
        {
            projected = redacted(engine.diffEngine.projection.project(message).message)
        } else {
            projected = pair.primary == nil ? .null : .string("(does not decode as \(plan.v2Message.fullName))")
        }
        comparison = Self.compare(engine: engine, pair: pair)
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

    private static func compare(engine: MigrationEngine, pair: RecordPair) -> KeyComparison {
        guard
            let result = engine.diffEngine.compare(
                shadowPayload: pair.shadow?.payload, primaryPayload: pair.primary?.payload)
        else { return KeyComparison(key: pair.key, outcome: .match) }
        return KeyComparison(
            key: pair.key, outcome: result.diffs.isEmpty ? .match : .mismatch,
            diffs: result.diffs.map(engine.redactor.redact), unknownFields: result.unknownFields)
    }

    var json: JSONValue {
        .object([
            .init("key", .string(key)),
            .init("shadow", shadow),
            .init("primary_projected", projected),
            .init(
                "diffs",
                .array(
                    comparison.diffs.map { diff in
                        .object([
                            .init("path", .string(diff.path)), .init("kind", .string(diff.kind.rawValue)),
                            .init("v1", diff.v1.map { .string(Self.describe($0)) } ?? .null),
                            .init("v2", diff.v2.map { .string(Self.describe($0)) } ?? .null),
                        ])
                    })),
        ])
    }

    var text: String {
        let options = JSONWritingOptions(pretty: true)
        let left = shadow.jsonString(options: options).split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        let right = projected.jsonString(options: options).split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        let width = max(24, min(60, left.map(\.count).max() ?? 0))
        var out =
            "key \(key)   seq primary \(seqs.primary.map(String.init) ?? "-"), shadow \(seqs.shadow.map(String.init) ?? "-")\n"
        out += "shadow (v1)".padding(toLength: width, withPad: " ", startingAt: 0) + " | primary projected to v1\n"
        out += String(repeating: "-", count: width) + "-+-" + String(repeating: "-", count: width) + "\n"
        for row in 0..<max(left.count, right.count) {
            let l = row < left.count ? left[row] : ""
            let r = row < right.count ? right[row] : ""
            out += l.padding(toLength: width, withPad: " ", startingAt: 0) + " | " + r + "\n"
        }
        if comparison.diffs.isEmpty {
            out += "\nno differences\n"
        } else {
            out += "\n\(comparison.diffs.count) difference(s):\n"
            for diff in comparison.diffs {
                out += "  \(diff.path)  \(diff.kind.rawValue)"
                if let v1 = diff.v1 { out += "  v1=\(Self.describe(v1))" }
                if let v2 = diff.v2 { out += "  v2=\(Self.describe(v2))" }
                if let detail = diff.detail { out += "  (\(detail))" }
                out += "\n"
            }
        }
        return out
    }

    static func describe(_ value: FieldDiff.Value) -> String {
        switch value {
        case .redacted(let token): return token
        case .proto(let proto):
            switch proto {
            case .string(let text): return "\"\(text)\""
            case .message(let message): return (try? message.jsonValue().jsonString()) ?? "(message)"
            case .bytes(let bytes): return Data(bytes).base64EncodedString()
            case .enumValue(let number): return "enum \(number)"
            case .int32(let v): return String(v)
            case .int64(let v): return String(v)
            case .uint32(let v): return String(v)
            case .uint64(let v): return String(v)
            case .float(let v): return String(v)
            case .double(let v): return String(v)
            case .bool(let v): return String(v)
            }
        }
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
