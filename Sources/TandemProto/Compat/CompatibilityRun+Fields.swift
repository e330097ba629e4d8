import SwiftProtobuf

/// One side of a field comparison: the field, where it is, and the message and pool it belongs to.
struct FieldSide {
    let message: CompatibilityPool.Message
    let field: Google_Protobuf_FieldDescriptorProto
    let path: [Int32]
    let pool: CompatibilityPool

    var element: String { message.fullName + "." + field.name }
    /// The field's resolved features (its message's, its oneof's and its own).
    var features: ResolvedFeatures { message.features.field(field, in: message.proto) }
    /// The type on the wire: an editions message field with DELIMITED encoding is a group.
    var type: FieldType {
        let declared = FieldType(field.type) ?? .message
        return declared == .message && features.isDelimited(field, isMap: isMap) ? .group : declared
    }
    var isRepeated: Bool { field.label == .repeated }
    var isMap: Bool {
        isRepeated && field.type == .message
            && pool.message(typeName: field.typeName)?.proto.options.mapEntry == true
    }
    /// Whether the field must be set (proto2 `required`, editions' LEGACY_REQUIRED).
    var isRequired: Bool { features.isRequired(field) }
    var realOneof: String? { CompatibilityRun.realOneof(of: field, in: message.proto) }

    /// Explicit presence, as `Schema` derives it from the resolved features.
    var hasPresence: Bool { features.hasPresence(field, isExtension: !field.extendee.isEmpty) }

    /// Whether repeated values are written packed (the resolved repeated field encoding, or `[packed = ...]`).
    var isPacked: Bool { features.isPacked(field, isPackable: type.isPackable) }

    /// `int64`, `message acme.Money`, `enum acme.Status` (names relative to their package).
    var typeName: String {
        switch type {
        case .message, .group:
            let name = pool.message(typeName: field.typeName)?.relativeName ?? field.typeName
            if type == .group { return (field.type == .message ? "delimited message " : "group ") + name }
            return "message " + name
        case .enum: return "enum " + (pool.enumType(typeName: field.typeName)?.relativeName ?? field.typeName)
        default: return type.protoName
        }
    }

    var cardinality: String {
        if isMap { return "map" }
        if isRepeated { return "repeated" }
        return isRequired ? "required" : "singular"
    }

    /// The finding side, at a detail of the field (`[1]` name, `[3]` number, `[5]`/`[6]` type) when recorded.
    func locate(_ detail: [Int32] = []) -> FindingLocation {
        pool.locate(file: message.file, path: path, detail: detail, element: element)
    }

    func locateType() -> FindingLocation {
        let detail: [Int32] = pool.schema.locations.exact(file: message.file, path: path + [5]) != nil ? [5] : [6]
        return locate(detail)
    }
}

extension CompatibilityRun {
    /// Compares two fields of one number.
    mutating func compareFields(_ a: FieldSide, _ b: FieldSide, inMapEntry: Bool) {
        let number = a.field.number
        if a.field.name != b.field.name {
            report(
                .fieldSameName, v1: a.locate([1]), v2: b.locate([1]),
                "field \(number) is named \(a.field.name) in v1 and \(b.field.name) in v2: text-format and JSON readers "
                    + "that use the field name lose the value, and generated code changes")
        }
        let aJSON = Self.jsonName(a.field)
        let bJSON = Self.jsonName(b.field)
        if aJSON != bJSON {
            report(
                .fieldSameJSONName, v1: a.locate([1]), v2: b.locate([1]),
                "field \(number) is \"\(aJSON)\" in v1 JSON and \"\(bJSON)\" in v2 JSON: each side rejects or drops "
                    + "the other's JSON key")
        }
        if followsBuf {
            compareAsBuf(a, b, inMapEntry: inMapEntry)
            return
        }
        compareTypes(a, b)
        compareCardinality(a, b)
        if !inMapEntry { comparePresence(a, b) }
        compareOneofMembership(a, b)
        let aDefault = Self.unsetValue(a)
        let bDefault = Self.unsetValue(b)
        if aDefault.key != bDefault.key {
            report(
                .fieldSameDefault, v1: a.locate([7]), v2: b.locate([7]),
                "field \(number) (\(a.field.name)) defaults to \(aDefault.shown) in v1 and \(bDefault.shown) in v2: "
                    + "records that leave it unset read as different values on each side")
        }
    }

    /// What an unset singular field reads as, for FIELD_SAME_DEFAULT: its declared default, the type's zero, or for
    /// an enum the number of its declared default or first value (a closed enum's first value need not be zero).
    /// `key` compares, `shown` says it.
    static func unsetValue(_ side: FieldSide) -> (key: String, shown: String) {
        if side.type == .enum, !side.isRepeated,
            let values = side.pool.enumType(typeName: side.field.typeName)?.proto.value,
            let first = values.first
        {
            let value =
                side.field.hasDefaultValue ? values.first { $0.name == side.field.defaultValue } ?? first : first
            return ("enum \(value.number)", "\"\(value.name)\" (\(value.number))")
        }
        guard side.field.hasDefaultValue else { return ("zero", "the type's zero") }
        return ("\"" + side.field.defaultValue + "\"", "\"" + side.field.defaultValue + "\"")
    }

    /// For two fields of one message or enum kind: enqueues the two types when they are one declaration (the same
    /// full name, translated where the package was renamed; with `mapsAlike`, any two map entries), and returns the
    /// kind (`message`, `enum`) when they are two. `nil` for other field types and unresolved names.
    mutating func followNamedTypes(_ a: FieldSide, _ b: FieldSide, mapsAlike: Bool) -> String? {
        switch a.type {
        case .message, .group:
            guard let am = v1.message(typeName: a.field.typeName), let bm = v2.message(typeName: b.field.typeName)
            else { return nil }
            if !(mapsAlike && a.isMap && b.isMap)
                && !isSameType(am.fullName, am.relativeName, am.file, bm.fullName, bm.relativeName)
            {
                return "message"
            }
            enqueue(am, bm)
        case .enum:
            guard let ae = v1.enumType(typeName: a.field.typeName), let be = v2.enumType(typeName: b.field.typeName)
            else { return nil }
            if !isSameType(ae.fullName, ae.relativeName, ae.file, be.fullName, be.relativeName) { return "enum" }
            enqueue(ae, be)
        default:
            break
        }
        return nil
    }

    /// A field switched from one named message or enum type to another: generated code changes, and what one side
    /// writes is read as an unrelated type by the other. The two types are not compared member by member.
    private mutating func reportNamedTypeSwitch(_ a: FieldSide, _ b: FieldSide, kind: String) {
        let number = a.field.number
        report(
            .fieldSameType, v1: a.locateType(), v2: b.locateType(),
            "field \(number) (\(a.field.name)) changed type from \(a.typeName) to \(b.typeName): generated code "
                + "and every caller that relies on the type change")
        report(
            .fieldWireCompatibleType, v1: a.locateType(), v2: b.locateType(),
            "field \(number) (\(a.field.name)) changed type from \(a.typeName) to \(b.typeName), another \(kind): "
                + "each side reads the other's values as a type they were not written as")
    }

    mutating func compareTypes(_ a: FieldSide, _ b: FieldSide) {
        let number = a.field.number
        if a.type == b.type {
            if let kind = followNamedTypes(a, b, mapsAlike: true) { reportNamedTypeSwitch(a, b, kind: kind) }
            return
        }
        report(
            .fieldSameType, v1: a.locateType(), v2: b.locateType(),
            "field \(number) (\(a.field.name)) changed type from \(a.typeName) to \(b.typeName): generated code and "
                + "every caller that relies on the type change")
        switch TypeCompatibility.classify(
            v1: a.type, v2: b.type, number: number, v1Name: a.typeName, v2Name: b.typeName)
        {
        case .same:
            break
        case .conditional(let text):
            report(.fieldWireJSONCompatibleType, v1: a.locateType(), v2: b.locateType(), text)
        case .incompatible(let text):
            report(.fieldWireCompatibleType, v1: a.locateType(), v2: b.locateType(), text)
            if a.field.name != b.field.name {
                report(
                    .fieldNumberReused, v1: a.locate([3]), v2: b.locate([3]),
                    "field number \(number) was \(a.field.name) (\(a.typeName)) in v1 and is \(b.field.name) "
                        + "(\(b.typeName)) in v2: v2 readers decode old \(a.field.name) data as \(b.field.name) and v1 "
                        + "readers decode \(b.field.name) as \(a.field.name); pick a new number and reserve \(number)")
            }
        }
    }

    mutating func compareCardinality(_ a: FieldSide, _ b: FieldSide) {
        let number = a.field.number
        guard a.cardinality != b.cardinality else { return }
        report(
            .fieldSameCardinality, v1: a.locate(), v2: b.locate(),
            "field \(number) (\(a.field.name)) changed from \(a.cardinality) to \(b.cardinality): generated code changes"
        )
        if a.isRequired || b.isRequired {
            let (strictSide, otherSide) = a.isRequired ? ("v1", "v2") : ("v2", "v1")
            report(
                .fieldWireCompatibleCardinality, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) is required in \(strictSide) only: \(strictSide) readers reject "
                    + "every \(otherSide) record that leaves it unset")
            return
        }
        if a.isRepeated && b.isRepeated {
            // map <-> repeated entry message: one wire form, two JSON forms (object vs array).
            report(
                .fieldWireJSONCompatibleCardinality, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) is a \(a.cardinality) in v1 and a \(b.cardinality) in v2: the wire "
                    + "form is the same but JSON writes a map as an object and a list as an array")
            return
        }
        let repeated = a.isRepeated ? a : b
        let repeatedSide = a.isRepeated ? "v1" : "v2"
        let singularSide = a.isRepeated ? "v2" : "v1"
        if repeated.isPacked {
            report(
                .fieldWireCompatibleCardinality, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) is packed repeated in \(repeatedSide) and singular in "
                    + "\(singularSide): \(singularSide) readers do not accept the packed form and drop the values into "
                    + "unknown fields")
            return
        }
        let merge = repeated.type.isMessage ? "merge all elements into one message" : "keep only the last element"
        report(
            .fieldWireJSONCompatibleCardinality, v1: a.locate(), v2: b.locate(),
            "field \(number) (\(a.field.name)) is repeated in \(repeatedSide) and singular in \(singularSide): "
                + "\(singularSide) readers \(merge) and lose the rest; JSON writes an array on one side and a single "
                + "value on the other, which the other side rejects")
    }

    private mutating func comparePresence(_ a: FieldSide, _ b: FieldSide) {
        guard !a.isRepeated, !b.isRepeated, a.realOneof == nil, b.realOneof == nil, !a.type.isMessage,
            !b.type.isMessage, a.hasPresence != b.hasPresence
        else { return }
        let (explicit, implicit) = a.hasPresence ? ("v1", "v2") : ("v2", "v1")
        report(
            .fieldSamePresence, v1: a.locate(), v2: b.locate(),
            "field \(a.field.number) (\(a.field.name)) tracks presence in \(explicit) only: \(implicit) writers never "
                + "write a zero value, so \(explicit) readers cannot tell \"set to zero\" from \"unset\", and "
                + "\(explicit) JSON writes zero values that \(implicit) JSON omits")
    }

    private mutating func compareOneofMembership(_ a: FieldSide, _ b: FieldSide) {
        let aOneof = a.realOneof
        let bOneof = b.realOneof
        guard aOneof != bOneof else { return }
        let number = a.field.number
        let v1Numbers = Set(a.message.proto.field.map(\.number))
        let v2Numbers = Set(b.message.proto.field.map(\.number))
        func members(_ side: FieldSide, _ oneof: String) -> Set<Int32> {
            Set(
                side.message.proto.field.filter { Self.realOneof(of: $0, in: side.message.proto) == oneof }.map(
                    \.number))
        }
        if let aOneof, let bOneof {
            // A renamed oneof with the same members is a source change only (ONEOF_NO_DELETE reports it).
            if members(a, aOneof).intersection(v2Numbers) == members(b, bOneof).intersection(v1Numbers) { return }
        }
        if aOneof == nil, let bOneof {
            let isNew = !Self.realOneofs(a.message.proto).contains { $0.1.name == bOneof }
            let formerFields = members(b, bOneof).intersection(v1Numbers)
            if isNew && formerFields == [number] {
                report(
                    .fieldMovedIntoNewOneof, v1: a.locate(), v2: b.locate(),
                    "field \(number) (\(a.field.name)) moved into the new oneof \(bOneof): the wire form is unchanged, "
                        + "but generated code changes and setting another member now clears it")
                return
            }
        }
        if aOneof != nil, bOneof == nil, let aOneof, members(a, aOneof).intersection(v2Numbers) == [number] {
            // The only member of its v1 oneof left it: no sibling can overwrite it on either side.
            return
        }
        let from = aOneof.map { "oneof \($0)" } ?? "no oneof"
        let to = bOneof.map { "oneof \($0)" } ?? "no oneof"
        report(
            .fieldSameOneof, v1: a.locate(), v2: b.locate(),
            "field \(number) (\(a.field.name)) moved from \(from) in v1 to \(to) in v2: records that set it together "
                + "with another field are read with only the last of them set, and the others are silently lost")
    }
}
