import SwiftProtobuf

extension CompatibilityRun {
    typealias FieldProto = Google_Protobuf_FieldDescriptorProto

    /// Compares one message pair: nested declarations, oneofs, reservations, required fields, then every v1 field
    /// against the v2 field of the same number.
    mutating func compareMessages(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let isMapEntry = a.proto.options.mapEntry || b.proto.options.mapEntry
        if !isMapEntry {
            if !wholeSchema { compareNestedDeclarations(a, b) }
            compareOneofs(a, b)
            compareReservations(a, b)
            compareRequired(a, b)
        }
        if followsBuf { compareMessagesAsBufFile(a, b) }
        let v2ByNumber = Dictionary(
            b.proto.field.enumerated().map { ($0.element.number, $0.offset) }, uniquingKeysWith: { first, _ in first })
        for (i, field) in a.proto.field.enumerated() {
            let aPath = a.path + [2, Int32(i)]
            guard let j = v2ByNumber[field.number] else {
                reportDeletedField(field, path: aPath, in: a, from: b)
                continue
            }
            compareFields(
                FieldSide(message: a, field: field, path: aPath, pool: v1),
                FieldSide(message: b, field: b.proto.field[j], path: b.path + [2, Int32(j)], pool: v2),
                inMapEntry: isMapEntry)
        }
    }

    private mutating func compareNestedDeclarations(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let v2Nested = Set(b.proto.nestedType.map(\.name))
        for (i, nested) in a.proto.nestedType.enumerated()
        where !nested.options.mapEntry && !v2Nested.contains(nested.name) {
            let name = a.fullName + "." + nested.name
            report(
                .messageNoDelete, v1: v1.locate(file: a.file, path: a.path + [3, Int32(i)], element: name), v2: nil,
                "message \(a.relativeName).\(nested.name) is gone from v2 \(b.relativeName): code that uses it stops "
                    + "compiling (data written with it is unaffected)")
        }
        let v2Enums = Set(b.proto.enumType.map(\.name))
        for (i, nested) in a.proto.enumType.enumerated() where !v2Enums.contains(nested.name) {
            let name = a.fullName + "." + nested.name
            report(
                .enumNoDelete, v1: v1.locate(file: a.file, path: a.path + [4, Int32(i)], element: name), v2: nil,
                "enum \(a.relativeName).\(nested.name) is gone from v2 \(b.relativeName): code that uses it stops "
                    + "compiling")
        }
    }

    private mutating func compareOneofs(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let v2Real = Set(Self.realOneofs(b.proto).map { $0.1.name })
        for (index, oneof) in Self.realOneofs(a.proto) where !v2Real.contains(oneof.name) {
            report(
                .oneofNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [8, Int32(index)], element: a.fullName + "." + oneof.name),
                v2: nil,
                "oneof \(oneof.name) of \(a.relativeName) is gone in v2: code that switches on it stops compiling")
        }
    }

    /// Whether `field` of `message` must be set: proto2 `required` or editions' LEGACY_REQUIRED; under the `buf_*`
    /// policies the label only, as buf 1.75 reads it (it reports a proto2 `required` field that became
    /// LEGACY_REQUIRED as a deleted required field).
    private func requires(_ field: FieldProto, in message: CompatibilityPool.Message) -> Bool {
        if followsBuf { return field.label == .required }
        return message.features.field(field, in: message.proto).isRequired(field)
    }

    private mutating func compareRequired(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let v2Fields = Dictionary(
            b.proto.field.enumerated().map { ($0.element.number, $0) }, uniquingKeysWith: { x, _ in x })
        let v1Fields = Dictionary(
            a.proto.field.enumerated().map { ($0.element.number, $0) }, uniquingKeysWith: { x, _ in x })
        for (i, field) in a.proto.field.enumerated() where requires(field, in: a) {
            let other = v2Fields[field.number]
            guard !(other.map { requires($0.element, in: b) } ?? false) else { continue }
            // buf puts the finding at the v2 message, as for a deleted field; Tandem at the field when it is there.
            let v2Side =
                followsBuf
                ? v2.locate(file: b.file, path: b.path, element: b.fullName)
                : other.map {
                    v2.locate(
                        file: b.file, path: b.path + [2, Int32($0.offset)],
                        element: b.fullName + "." + $0.element.name)
                }
            report(
                .messageSameRequiredFields,
                v1: v1.locate(file: a.file, path: a.path + [2, Int32(i)], element: a.fullName + "." + field.name),
                v2: v2Side,
                "field \(field.number) (\(field.name)) is required in v1 but not in v2: v1 readers reject every v2 "
                    + "record that leaves it unset")
        }
        for (j, field) in b.proto.field.enumerated() where requires(field, in: b) {
            let other = v1Fields[field.number]
            guard !(other.map { requires($0.element, in: a) } ?? false) else { continue }
            let v1Side = other.map {
                v1.locate(
                    file: a.file, path: a.path + [2, Int32($0.offset)], element: a.fullName + "." + $0.element.name)
            }
            report(
                .messageSameRequiredFields, v1: v1Side,
                v2: v2.locate(file: b.file, path: b.path + [2, Int32(j)], element: b.fullName + "." + field.name),
                "field \(field.number) (\(field.name)) is required in v2 but not in v1: v2 readers reject every v1 "
                    + "record that leaves it unset")
        }
    }

    private mutating func reportDeletedField(
        _ field: FieldProto, path: [Int32], in a: CompatibilityPool.Message, from b: CompatibilityPool.Message
    ) {
        let location = v1.locate(file: a.file, path: path, element: a.fullName + "." + field.name)
        report(
            .fieldNoDelete, v1: location, v2: nil,
            "field \(field.number) (\(field.name)) is gone in v2: v2 readers keep v1 values as unknown fields and v1 "
                + "readers see it unset in v2 records")
        if !Self.reserves(b.proto.reservedRange.map { ($0.start, $0.end) }, field.number) {
            report(
                .fieldNoDeleteUnlessNumberReserved, v1: location, v2: nil,
                "field \(field.number) (\(field.name)) is gone in v2 and \(field.number) is not reserved: a later "
                    + "field may reuse the number and decode old \(field.name) data as something else")
        }
        if !b.proto.reservedName.contains(field.name) {
            report(
                .fieldNoDeleteUnlessNameReserved, v1: location, v2: nil,
                "field \(field.name) is gone in v2 and its name is not reserved: v2 JSON readers reject v1 JSON that "
                    + "still carries \"\(Self.jsonName(field))\", and a later field may take the name")
        }
    }

    // MARK: Helpers

    /// The real (not synthetic) oneofs with their indices.
    static func realOneofs(_ message: Google_Protobuf_DescriptorProto) -> [(Int, Google_Protobuf_OneofDescriptorProto)]
    {
        message.oneofDecl.enumerated().filter { index, _ in
            !message.field.contains { $0.hasOneofIndex && Int($0.oneofIndex) == index && $0.proto3Optional }
        }.map { ($0.offset, $0.element) }
    }

    /// The real oneof a field belongs to, if any.
    static func realOneof(of field: FieldProto, in message: Google_Protobuf_DescriptorProto) -> String? {
        guard field.hasOneofIndex, !field.proto3Optional, Int(field.oneofIndex) < message.oneofDecl.count else {
            return nil
        }
        return message.oneofDecl[Int(field.oneofIndex)].name
    }

    /// Whether half-open ranges `[start, end)` (messages) reserve `number`.
    static func reserves(_ ranges: [(Int32, Int32)], _ number: Int32) -> Bool {
        ranges.contains { number >= $0.0 && number < $0.1 }
    }

    static func jsonName(_ field: FieldProto) -> String {
        field.hasJsonName ? field.jsonName : ProtoNames.jsonName(field.name)
    }
}
