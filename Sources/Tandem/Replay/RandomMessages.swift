import Foundation
import TandemProto

/// Builds random, well-formed messages of a schema: words for strings, plausible ranges for numbers, declared
/// non-zero enum values, valid Timestamps and Durations, a few elements for repeated and map fields, one member of
/// each oneof.
struct RandomMessages {
    let schema: Schema
    private static let words = [
        "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
        "kestrel", "lumen", "maple", "nova", "orchid", "pebble", "quartz", "river", "sage", "tundra",
    ]

    mutating func message(_ type: MessageDescriptor, depth: Int = 0, using rng: inout SplitMix64) -> DynamicMessage {
        var message = DynamicMessage(descriptor: type, schema: schema)
        if type.fullName == "google.protobuf.Timestamp" {
            try? message.set(1, to: .int64(Int64.random(in: 1_500_000_000...1_800_000_000, using: &rng)))
            try? message.set(2, to: .int32(Int32.random(in: 0..<1_000_000_000, using: &rng)))
            return message
        }
        if type.fullName == "google.protobuf.Duration" {
            try? message.set(1, to: .int64(Int64.random(in: 0...86_400, using: &rng)))
            return message
        }
        var chosenOneofs: [Int: Int32] = [:]
        for (index, oneof) in type.oneofs.enumerated() where !oneof.isSynthetic && !oneof.fieldNumbers.isEmpty {
            chosenOneofs[index] = oneof.fieldNumbers[Int.random(in: 0..<oneof.fieldNumbers.count, using: &rng)]
        }
        for field in type.fields {
            if let oneof = field.oneofIndex, !field.isProto3Optional, chosenOneofs[oneof] != field.number { continue }
            if field.isProto3Optional && Bool.random(using: &rng) { continue }
            if field.type.isMessage && depth >= 3 { continue }
            if field.isMap {
                guard let entry = schema.messageType(of: field), let keyField = entry.field(number: 1),
                    let valueField = entry.field(number: 2)
                else { continue }
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    let key = scalar(keyField, using: &rng)
                    let value =
                        valueField.type.isMessage
                        ? schema.messageType(of: valueField).map {
                            ProtoValue.message(self.message($0, depth: depth + 1, using: &rng))
                        }
                        : scalar(valueField, using: &rng)
                    if let value { try? message.setMapValue(value, forKey: key, in: field.number) }
                }
            } else if field.isRepeated {
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    if let value = element(field, depth: depth, using: &rng) {
                        try? message.append(value, to: field.number)
                    }
                }
            } else if let value = element(field, depth: depth, using: &rng) {
                try? message.set(field.number, to: value)
            }
        }
        return message
    }

    private mutating func element(_ field: FieldDescriptor, depth: Int, using rng: inout SplitMix64) -> ProtoValue? {
        if field.type.isMessage {
            return schema.messageType(of: field).map { .message(message($0, depth: depth + 1, using: &rng)) }
        }
        return scalar(field, using: &rng)
    }

    func scalar(_ field: FieldDescriptor, using rng: inout SplitMix64) -> ProtoValue {
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(Int32.random(in: 1...100_000, using: &rng))
        case .int64, .sint64, .sfixed64:
            // Millisecond timestamps where the name says so; otherwise amounts and counts of everyday size.
            if field.name.hasSuffix("_ms") || field.name.contains("time") {
                return .int64(Int64.random(in: 1_500_000_000_000...1_800_000_000_000, using: &rng))
            }
            return .int64(Int64.random(in: 1...5_000_000, using: &rng))
        case .uint32, .fixed32: return .uint32(UInt32.random(in: 1...100_000, using: &rng))
        case .uint64, .fixed64: return .uint64(UInt64.random(in: 1...5_000_000, using: &rng))
        case .float: return .float(Float(Int.random(in: 0...10_000, using: &rng)) / 100)
        case .double: return .double(Double(Int.random(in: 0...1_000_000, using: &rng)) / 1000)
        case .bool: return .bool(Bool.random(using: &rng))
        case .string:
            let word = Self.words[Int.random(in: 0..<Self.words.count, using: &rng)]
            if field.name.contains("email") {
                return .string("\(word)\(Int.random(in: 1...999, using: &rng))@example.com")
            }
            if field.name.contains("url") { return .string("https://example.com/\(word).png") }
            return .string(
                word.prefix(1).uppercased() + word.dropFirst() + " " + String(Int.random(in: 1...999, using: &rng)))
        case .bytes:
            return .bytes((0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case .enum:
            let values = schema.enumType(of: field)?.values.map(\.number).filter { $0 != 0 } ?? []
            return .enumValue(values.isEmpty ? 0 : values[Int.random(in: 0..<values.count, using: &rng)])
        case .message, .group: return .int32(0)
        }
    }

    /// Sets the key field (a string or integer at `path`) to `key`.
    func setKey(_ key: String, at path: FieldPath, in message: inout DynamicMessage) {
        guard let name = path.components.last, path.components.count == 1,
            let field = message.descriptor.field(named: name)
        else { return }
        switch field.type {
        case .string: try? message.set(named: name, to: .string(key))
        case .int64, .sint64, .sfixed64: try? message.set(named: name, to: .int64(Int64(key.filter(\.isNumber)) ?? 0))
        default: break
        }
    }

    /// Changes one set, non-ignored top-level field of a v1 record, as a buggy legacy writer would; false when the
    /// record has no field to change.
    func plantBug(in message: inout DynamicMessage, skipping ignored: [FieldPath], using rng: inout SplitMix64) -> Bool
    {
        let ignoredNames = Set(ignored.compactMap { $0.components.count == 1 ? $0.components[0] : nil })
        let candidates = message.descriptor.fields.filter {
            message.has($0.number) && !$0.isRepeated && !$0.type.isMessage && !ignoredNames.contains($0.name)
                && $0.number != 1
        }
        guard !candidates.isEmpty else { return false }
        let field = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
        let current = message.get(field.number)
        for _ in 0..<8 {
            let value = field.type == .bool ? ProtoValue.bool(current != .bool(true)) : scalar(field, using: &rng)
            guard value != current else { continue }
            do {
                try message.set(field.number, to: value)
            } catch {
                return false
            }
            // An implicit-presence field set to its default reads back unset: still a divergence on the wire.
            return true
        }
        return false
    }
}
