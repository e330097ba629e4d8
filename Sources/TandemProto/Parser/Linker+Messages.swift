import Foundation
import SwiftProtobuf

extension Linker {
    // MARK: - Messages

    mutating func linkMessage(_ message: inout Google_Protobuf_DescriptorProto, scope: String, path: [Int32])
        throws(ProtoError)
    {
        let name = qualify(scope, message.name)
        for i in message.field.indices {
            try linkField(&message.field[i], scope: name, path: path + [2, Int32(i)], message: message)
        }
        for i in message.extension.indices {
            try linkField(&message.extension[i], scope: name, path: path + [6, Int32(i)], message: message)
        }
        for i in message.nestedType.indices {
            try linkMessage(&message.nestedType[i], scope: name, path: path + [3, Int32(i)])
        }
        for i in message.enumType.indices {
            try checkEnum(
                message.enumType[i], fullName: name + "." + message.enumType[i].name, path: path + [4, Int32(i)])
        }
        if message.options.mapEntry {
            try checkMapEntry(message, path: path)
        }
        synthesizeOneofs(&message)
        try checkNumbers(message, fullName: name, path: path)
    }

    /// protoc appends a synthetic oneof after the real ones for each proto3 `optional` field, named `_field`
    /// (prefixed with `X` until no field or oneof has that name).
    func synthesizeOneofs(_ message: inout Google_Protobuf_DescriptorProto) {
        var names = Set(message.field.map(\.name))
        names.formUnion(message.oneofDecl.map(\.name))
        for i in message.field.indices where message.field[i].proto3Optional {
            var oneofName = message.field[i].name
            if !oneofName.hasPrefix("_") { oneofName = "_" + oneofName }
            while names.contains(oneofName) { oneofName = "X" + oneofName }
            names.insert(oneofName)
            var decl = Google_Protobuf_OneofDescriptorProto()
            decl.name = oneofName
            message.field[i].oneofIndex = Int32(message.oneofDecl.count)
            message.oneofDecl.append(decl)
        }
    }

    mutating func linkField(
        _ field: inout Google_Protobuf_FieldDescriptorProto, scope: String, path: [Int32],
        message: Google_Protobuf_DescriptorProto?
    ) throws(ProtoError) {
        let fieldName = scope + "." + field.name
        if !field.hasJsonName { field.jsonName = ProtoNames.jsonName(field.name) }
        if !field.extendee.isEmpty {
            field.extendee = try resolveType(
                field.extendee, relativeTo: fieldName, at: loc(path + [2]), wantMessage: true
            ).name
        }
        guard !field.typeName.isEmpty else { return }
        if field.type == .group {
            field.typeName = try resolveType(
                field.typeName, relativeTo: fieldName, at: loc(path + [6]), wantMessage: true
            ).name
            return
        }
        let resolved = try resolveType(field.typeName, relativeTo: fieldName, at: loc(path + [6]), wantMessage: false)
        field.typeName = resolved.name
        field.type = resolved.kind == .enum ? .enum : .message
        if field.type == .enum {
            let enumDescriptor = enumProto(named: String(resolved.name.dropFirst()))
            if field.hasDefaultValue, let enumDescriptor,
                !enumDescriptor.value.contains(where: { $0.name == field.defaultValue })
            {
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [7]),
                    "Enum type \"\(resolved.name.dropFirst())\" has no value named \"\(field.defaultValue)\" for option \"default\"."
                )
            }
            if isProto3, let declaration = enumDeclaration(named: String(resolved.name.dropFirst())),
                declaration.features.enumType == .closed, field.extendee.isEmpty
            {
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [6]),
                    "Enum type \"\(resolved.name.dropFirst())\" is not an open enum, but is used in \"\(scope)\" which is a proto3 message type."
                )
            }
        } else if field.hasDefaultValue {
            throw ProtoError(.invalidDefinition, at: loc(path + [7]), "Messages can't have default values.")
        }
    }

    func enumOwnerFile(named fullName: String) -> Google_Protobuf_FileDescriptorProto? {
        guard let symbol = symbols[fullName] else { return nil }
        return symbol.file == file.name ? parsed.proto : dependencies[symbol.file]
    }

    func enumProto(named fullName: String) -> Google_Protobuf_EnumDescriptorProto? {
        enumDeclaration(named: fullName)?.proto
    }

    /// The enum named `fullName` and its resolved features (closed or open, whatever its file's syntax).
    func enumDeclaration(named fullName: String)
        -> (proto: Google_Protobuf_EnumDescriptorProto, features: ResolvedFeatures)?
    {
        guard let owner = enumOwnerFile(named: fullName) else { return nil }
        func search(_ messages: [Google_Protobuf_DescriptorProto], scope: String, parent: ResolvedFeatures)
            -> (Google_Protobuf_EnumDescriptorProto, ResolvedFeatures)?
        {
            for message in messages {
                let name = qualify(scope, message.name)
                let features = parent.message(message)
                if let found = message.enumType.first(where: { name + "." + $0.name == fullName }) {
                    return (found, features.enumType(found))
                }
                if let found = search(message.nestedType, scope: name, parent: features) { return found }
            }
            return nil
        }
        let fileFeatures = ResolvedFeatures(file: owner)
        if let top = owner.enumType.first(where: { qualify(owner.package, $0.name) == fullName }) {
            return (top, fileFeatures.enumType(top))
        }
        return search(owner.messageType, scope: owner.package, parent: fileFeatures)
    }

    func checkMapEntry(_ entry: Google_Protobuf_DescriptorProto, path: [Int32]) throws(ProtoError) {
        guard let key = entry.field.first else { return }
        if key.type == .enum || key.type == .message {
            throw ProtoError(
                .invalidDefinition, at: loc(path + [2, 0, 6]),
                "Key in map fields cannot be float/double, bytes or message types.")
        }
    }

    func checkNumbers(_ message: Google_Protobuf_DescriptorProto, fullName: String, path: [Int32])
        throws(ProtoError)
    {
        var byNumber: [Int32: String] = [:]
        let isMessageSet = message.options.messageSetWireFormat
        for (i, field) in message.field.enumerated() {
            let numberLocation = loc(path + [2, Int32(i), 3])
            if field.number <= 0 {
                throw ProtoError(.numberOutOfRange, at: numberLocation, "Field numbers must be positive integers.")
            }
            if field.number > WireReader.maxFieldNumber {
                throw ProtoError(
                    .numberOutOfRange, at: numberLocation,
                    "Field numbers cannot be greater than \(WireReader.maxFieldNumber).")
            }
            if (19000...19999).contains(field.number) {
                throw ProtoError(
                    .numberOutOfRange, at: numberLocation,
                    "Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.")
            }
            if let other = byNumber[field.number] {
                throw ProtoError(
                    .duplicateNumber, at: numberLocation,
                    "Field number \(field.number) has already been used in \"\(fullName)\" by field \"\(other)\".")
            }
            byNumber[field.number] = field.name
            for range in message.reservedRange where field.number >= range.start && field.number < range.end {
                throw ProtoError(
                    .reservedUsed, at: numberLocation,
                    "Field \"\(field.name)\" uses reserved number \(field.number).")
            }
            if message.reservedName.contains(field.name) {
                throw ProtoError(
                    .reservedUsed, at: loc(path + [2, Int32(i), 1]),
                    "Field name \"\(field.name)\" is reserved.")
            }
            for (r, range) in message.extensionRange.enumerated()
            where field.number >= range.start && field.number < range.end {
                throw ProtoError(
                    .numberOutOfRange, at: loc(path + [5, Int32(r)]),
                    "Extension range \(range.start) to \(range.end - 1) includes field \"\(field.name)\" (\(field.number))."
                )
            }
        }
        for (r, range) in message.extensionRange.enumerated() {
            let limit = isMessageSet ? Int32.max : WireReader.maxFieldNumber + 1
            if range.start <= 0 || range.end > limit || range.start >= range.end {
                throw ProtoError(
                    .numberOutOfRange, at: loc(path + [5, Int32(r)]),
                    range.start <= 0
                        ? "Extension numbers must be positive integers."
                        : "Extension range end number must be greater than start number.")
            }
            if isProto3 {
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [5, Int32(r)]),
                    "Extension ranges are not allowed in proto3.")
            }
        }
        for (r, range) in message.reservedRange.enumerated() {
            if range.start <= 0 || range.start >= range.end {
                throw ProtoError(
                    .numberOutOfRange, at: loc(path + [9, Int32(r)]),
                    range.start <= 0
                        ? "Reserved numbers must be positive integers."
                        : "Reserved range end number must be greater than start number.")
            }
            for (o, other) in message.reservedRange.enumerated() where o < r {
                if range.start < other.end && other.start < range.end {
                    throw ProtoError(
                        .numberOutOfRange, at: loc(path + [9, Int32(r)]),
                        "Reserved range \(range.start) to \(range.end - 1) overlaps with already-defined range \(other.start) to \(other.end - 1)."
                    )
                }
            }
        }
        if isProto3 { try checkJSONNames(message, path: path) }
    }

    /// Checks that no two fields of `message` share a JSON name (proto3, and editions' `json_format = ALLOW`).
    func checkJSONNames(_ message: Google_Protobuf_DescriptorProto, path: [Int32]) throws(ProtoError) {
        var byJSON: [String: String] = [:]
        for (i, field) in message.field.enumerated() {
            let json = field.hasJsonName ? field.jsonName : ProtoNames.jsonName(field.name)
            if let other = byJSON[json] {
                throw ProtoError(
                    .duplicateName, at: loc(path + [2, Int32(i), 1]),
                    isProto3
                        ? "The JSON camel-case name of field \"\(field.name)\" conflicts with field \"\(other)\". This is not allowed in proto3."
                        : "The default JSON name of field \"\(field.name)\" (\"\(json)\") conflicts with the default JSON name of field \"\(other)\"."
                )
            }
            byJSON[json] = field.name
        }
    }

    // MARK: - Enums

    func checkEnum(_ enumProto: Google_Protobuf_EnumDescriptorProto, fullName: String, path: [Int32])
        throws(ProtoError)
    {
        guard let first = enumProto.value.first else {
            throw ProtoError(.invalidDefinition, at: loc(path + [1]), "Enums must contain at least one value.")
        }
        if isProto3 && first.number != 0 {
            throw ProtoError(
                .invalidDefinition, at: loc(path + [2, 0, 2]),
                "The first enum value must be zero for open enums.")
        }
        var byNumber: [Int32: String] = [:]
        var hasAlias = false
        for (i, value) in enumProto.value.enumerated() {
            if let other = byNumber[value.number] {
                hasAlias = true
                if !enumProto.options.allowAlias {
                    let scope = fullName.split(separator: ".").dropLast().joined(separator: ".")
                    throw ProtoError(
                        .duplicateNumber, at: loc(path + [2, Int32(i), 2]),
                        "\"\(qualify(scope, value.name))\" uses the same enum value as \"\(qualify(scope, other))\". If this is intended, set 'option allow_alias = true;' to the enum definition."
                    )
                }
            } else {
                byNumber[value.number] = value.name
            }
            for range in enumProto.reservedRange where value.number >= range.start && value.number <= range.end {
                throw ProtoError(
                    .reservedUsed, at: loc(path + [2, Int32(i), 2]),
                    "Enum value \"\(value.name)\" uses reserved number \(value.number).")
            }
            if enumProto.reservedName.contains(value.name) {
                throw ProtoError(
                    .reservedUsed, at: loc(path + [2, Int32(i), 1]),
                    "Enum value \"\(value.name)\" is reserved.")
            }
        }
        if enumProto.options.allowAlias && !hasAlias {
            throw ProtoError(
                .invalidDefinition, at: loc(path + [1]),
                "\"\(fullName)\" declares support for enum aliases but no enum values share field numbers. Please remove the unnecessary 'option allow_alias = true;' declaration."
            )
        }
        for (r, range) in enumProto.reservedRange.enumerated() where range.start > range.end {
            throw ProtoError(
                .numberOutOfRange, at: loc(path + [4, Int32(r)]),
                "Reserved range end number must be greater than start number.")
        }
    }
}
