import Foundation
import SwiftProtobuf

/// Links one parsed file against its already-linked dependencies: registers its symbols, resolves type names
/// with protobuf's scoping rules (innermost scope first), synthesises proto3 `optional` oneofs, fills json names,
/// and checks numbers, names and reserved declarations.
struct Linker {
    var parsed: ParsedFile
    let dependencies: [String: Google_Protobuf_FileDescriptorProto]
    var symbols: SymbolTable
    private var visibleFiles: Set<String> = []
    private var file: Google_Protobuf_FileDescriptorProto { parsed.proto }
    private var isProto3: Bool { parsed.proto.syntax == "proto3" }

    init(parsed: ParsedFile, dependencies: [String: Google_Protobuf_FileDescriptorProto], symbols: SymbolTable) {
        self.parsed = parsed
        self.dependencies = dependencies
        self.symbols = symbols
    }

    private func loc(_ path: [Int32]) -> SourceLocation { parsed.location(path) }

    mutating func link() throws(ProtoError) -> Google_Protobuf_FileDescriptorProto {
        visibleFiles = [file.name]
        func addPublic(_ name: String) {
            guard let dependency = dependencies[name] else { return }
            for index in dependency.publicDependency where Int(index) < dependency.dependency.count {
                let publicName = dependency.dependency[Int(index)]
                if visibleFiles.insert(publicName).inserted { addPublic(publicName) }
            }
        }
        for dependency in file.dependency {
            visibleFiles.insert(dependency)
            addPublic(dependency)
        }

        try registerSymbols()
        var proto = parsed.proto
        for i in proto.messageType.indices {
            try linkMessage(&proto.messageType[i], scope: proto.package, path: [4, Int32(i)])
        }
        for i in proto.enumType.indices {
            try checkEnum(
                proto.enumType[i], fullName: qualify(proto.package, proto.enumType[i].name), path: [5, Int32(i)])
        }
        for i in proto.extension.indices {
            try linkField(&proto.extension[i], scope: proto.package, path: [7, Int32(i)], message: nil)
        }
        for i in proto.service.indices {
            let serviceName = qualify(proto.package, proto.service[i].name)
            for j in proto.service[i].method.indices {
                let methodPath: [Int32] = [6, Int32(i), 2, Int32(j)]
                let methodName = serviceName + "." + proto.service[i].method[j].name
                proto.service[i].method[j].inputType = try resolveType(
                    proto.service[i].method[j].inputType, relativeTo: methodName, at: loc(methodPath + [2]),
                    wantMessage: true
                ).name
                proto.service[i].method[j].outputType = try resolveType(
                    proto.service[i].method[j].outputType, relativeTo: methodName, at: loc(methodPath + [3]),
                    wantMessage: true
                ).name
            }
        }
        try applyCustomOptions(&proto)
        parsed.proto = proto
        try checkExtensions(proto)
        return proto
    }

    private func qualify(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : scope + "." + name }

    // MARK: - Symbols

    private mutating func define(_ name: String, kind: SymbolTable.Kind, at location: SourceLocation) throws(ProtoError)
    {
        if let existing = symbols.add(name, kind: kind, file: file.name) {
            let short = name.split(separator: ".").last.map(String.init) ?? name
            let scope = name.count > short.count ? String(name.dropLast(short.count + 1)) : ""
            if existing.kind == .package {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined (as a package) in file \"\(existing.packageFiles.sorted().first ?? existing.file)\"."
                )
            }
            if kind == .package {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined (as something other than a package) in file \"\(existing.file)\".")
            }
            if existing.file != file.name {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined in file \"\(existing.file)\".")
            }
            throw ProtoError(
                .duplicateName, at: location,
                "\"\(short)\" is already defined in \"\(scope)\".")
        }
    }

    private mutating func registerSymbols() throws(ProtoError) {
        if !file.package.isEmpty {
            var prefix = ""
            for part in file.package.split(separator: ".") {
                prefix = prefix.isEmpty ? String(part) : prefix + "." + part
                try define(prefix, kind: .package, at: loc([2]))
            }
        }
        let package = file.package
        for (i, message) in file.messageType.enumerated() {
            try registerMessage(message, scope: package, path: [4, Int32(i)])
        }
        for (i, enumProto) in file.enumType.enumerated() {
            try registerEnum(enumProto, scope: package, path: [5, Int32(i)])
        }
        for (i, ext) in file.extension.enumerated() {
            try define(qualify(package, ext.name), kind: .extension, at: loc([7, Int32(i), 1]))
        }
        for (i, service) in file.service.enumerated() {
            let name = qualify(package, service.name)
            try define(name, kind: .service, at: loc([6, Int32(i), 1]))
            for (j, method) in service.method.enumerated() {
                try define(name + "." + method.name, kind: .method, at: loc([6, Int32(i), 2, Int32(j), 1]))
            }
        }
    }

    private mutating func registerMessage(_ message: Google_Protobuf_DescriptorProto, scope: String, path: [Int32])
        throws(ProtoError)
    {
        let name = qualify(scope, message.name)
        try define(name, kind: .message, at: loc(path + [1]))
        for (i, field) in message.field.enumerated() {
            try define(name + "." + field.name, kind: .field, at: loc(path + [2, Int32(i), 1]))
        }
        for (i, oneof) in message.oneofDecl.enumerated() {
            try define(name + "." + oneof.name, kind: .oneof, at: loc(path + [8, Int32(i), 1]))
        }
        for (i, nested) in message.nestedType.enumerated() {
            try registerMessage(nested, scope: name, path: path + [3, Int32(i)])
        }
        for (i, nestedEnum) in message.enumType.enumerated() {
            try registerEnum(nestedEnum, scope: name, path: path + [4, Int32(i)])
        }
        for (i, ext) in message.extension.enumerated() {
            try define(name + "." + ext.name, kind: .extension, at: loc(path + [6, Int32(i), 1]))
        }
    }

    private mutating func registerEnum(_ enumProto: Google_Protobuf_EnumDescriptorProto, scope: String, path: [Int32])
        throws(ProtoError)
    {
        let name = qualify(scope, enumProto.name)
        try define(name, kind: .enum, at: loc(path + [1]))
        // Enum values are siblings of their enum, not children (C++ scoping rules).
        for (i, value) in enumProto.value.enumerated() {
            let valueName = qualify(scope, value.name)
            if let existing = symbols.add(valueName, kind: .enumValue, file: file.name) {
                let location = loc(path + [2, Int32(i), 1])
                if existing.file != file.name {
                    throw ProtoError(
                        .duplicateName, at: location,
                        "\"\(valueName)\" is already defined in file \"\(existing.file)\".")
                }
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(value.name)\" is already defined in \"\(scope)\". Note that enum values use C++ scoping rules, meaning that enum values are siblings of their type, not children of it.  Therefore, \"\(value.name)\" must be unique within \"\(scope)\", not just within \"\(enumProto.name)\"."
                )
            }
        }
    }

    // MARK: - Name resolution

    /// Finds a symbol by full name, failing when it is defined only in files this file does not import.
    private func find(_ name: String, at location: SourceLocation) throws(ProtoError) -> SymbolTable.Symbol? {
        guard let symbol = symbols[name] else { return nil }
        if symbol.kind == .package {
            // A package is visible once any file declares it: protoc resolves names through packages across files.
            return symbol
        }
        if !visibleFiles.contains(symbol.file) {
            throw ProtoError(
                .unresolvedType, at: location,
                "\"\(name)\" seems to be defined in \"\(symbol.file)\", which is not imported by \"\(file.name)\".  To use it here, please add the necessary import."
            )
        }
        return symbol
    }

    /// Resolves `name` as written, relative to the full name of the element that uses it (protoc's
    /// `LookupSymbol`: each enclosing scope is tried from the innermost out, compound names by their first part).
    private func resolveType(
        _ name: String, relativeTo scope: String, at location: SourceLocation, wantMessage: Bool
    ) throws(ProtoError) -> (name: String, kind: SymbolTable.Kind) {
        func check(_ fullName: String, _ symbol: SymbolTable.Symbol) throws(ProtoError) -> (
            name: String, kind: SymbolTable.Kind
        ) {
            guard symbol.kind.isType else {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not a type.")
            }
            if wantMessage && symbol.kind != .message {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not a message type.")
            }
            return ("." + fullName, symbol.kind)
        }
        if name.hasPrefix(".") {
            let fullName = String(name.dropFirst())
            guard let symbol = try find(fullName, at: location) else {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not defined.")
            }
            return try check(fullName, symbol)
        }
        let firstPart = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        var scopeToTry = scope
        while true {
            guard let dot = scopeToTry.lastIndex(of: ".") else {
                guard let symbol = try find(name, at: location) else {
                    throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not defined.")
                }
                return try check(name, symbol)
            }
            scopeToTry = String(scopeToTry[..<dot])
            let candidate = scopeToTry + "." + firstPart
            if let symbol = try find(candidate, at: location) {
                if firstPart.count < name.count {
                    if symbol.kind.isAggregate {
                        let full = scopeToTry + "." + name
                        guard let resolved = try find(full, at: location) else {
                            throw ProtoError(
                                .unresolvedType, at: location,
                                "\"\(name)\" is resolved to \"\(full)\", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., \".\(name)\") to start from the outermost scope."
                            )
                        }
                        return try check(full, resolved)
                    }
                } else if symbol.kind.isType {
                    return try check(candidate, symbol)
                }
            }
        }
    }

    // MARK: - Messages

    private mutating func linkMessage(_ message: inout Google_Protobuf_DescriptorProto, scope: String, path: [Int32])
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
    private func synthesizeOneofs(_ message: inout Google_Protobuf_DescriptorProto) {
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

    private mutating func linkField(
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
            if isProto3, let enumDescriptor, let owner = enumOwnerFile(named: String(resolved.name.dropFirst())),
                owner.syntax != "proto3", field.extendee.isEmpty
            {
                _ = enumDescriptor
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [6]),
                    "Enum type \"\(resolved.name.dropFirst())\" is not an open enum, but is used in \"\(scope)\" which is a proto3 message type."
                )
            }
        } else if field.hasDefaultValue {
            throw ProtoError(.invalidDefinition, at: loc(path + [7]), "Messages can't have default values.")
        }
    }

    private func enumOwnerFile(named fullName: String) -> Google_Protobuf_FileDescriptorProto? {
        guard let symbol = symbols[fullName] else { return nil }
        return symbol.file == file.name ? parsed.proto : dependencies[symbol.file]
    }

    private func enumProto(named fullName: String) -> Google_Protobuf_EnumDescriptorProto? {
        guard let owner = enumOwnerFile(named: fullName) else { return nil }
        func search(_ messages: [Google_Protobuf_DescriptorProto], scope: String)
            -> Google_Protobuf_EnumDescriptorProto?
        {
            for message in messages {
                let name = qualify(scope, message.name)
                if let found = message.enumType.first(where: { name + "." + $0.name == fullName }) { return found }
                if let found = search(message.nestedType, scope: name) { return found }
            }
            return nil
        }
        if let top = owner.enumType.first(where: { qualify(owner.package, $0.name) == fullName }) { return top }
        return search(owner.messageType, scope: owner.package)
    }

    private func checkMapEntry(_ entry: Google_Protobuf_DescriptorProto, path: [Int32]) throws(ProtoError) {
        guard let key = entry.field.first else { return }
        if key.type == .enum || key.type == .message {
            throw ProtoError(
                .invalidDefinition, at: loc(path + [2, 0, 6]),
                "Key in map fields cannot be float/double, bytes or message types.")
        }
    }

    private func checkNumbers(_ message: Google_Protobuf_DescriptorProto, fullName: String, path: [Int32])
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
        if isProto3 {
            var byJSON: [String: String] = [:]
            for (i, field) in message.field.enumerated() {
                let json = field.hasJsonName ? field.jsonName : ProtoNames.jsonName(field.name)
                if let other = byJSON[json] {
                    throw ProtoError(
                        .duplicateName, at: loc(path + [2, Int32(i), 1]),
                        "The JSON camel-case name of field \"\(field.name)\" conflicts with field \"\(other)\". This is not allowed in proto3."
                    )
                }
                byJSON[json] = field.name
            }
        }
    }

    // MARK: - Enums

    private func checkEnum(_ enumProto: Google_Protobuf_EnumDescriptorProto, fullName: String, path: [Int32])
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

    // MARK: - Extensions

    private func checkExtensions(_ proto: Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
        var declared: [(Google_Protobuf_FieldDescriptorProto, [Int32])] = []
        for (i, ext) in proto.extension.enumerated() { declared.append((ext, [7, Int32(i)])) }
        func collect(_ messages: [Google_Protobuf_DescriptorProto], path: [Int32]) {
            for (i, message) in messages.enumerated() {
                for (j, ext) in message.extension.enumerated() {
                    declared.append((ext, path + [Int32(i), 6, Int32(j)]))
                }
                collect(message.nestedType, path: path + [Int32(i), 3])
            }
        }
        collect(proto.messageType, path: [4])
        for (ext, path) in declared {
            let extendee = String(ext.extendee.dropFirst())
            guard let target = messageProto(named: extendee) else { continue }
            let inRange = target.extensionRange.contains { ext.number >= $0.start && ext.number < $0.end }
            if !inRange {
                throw ProtoError(
                    .numberOutOfRange, at: loc(path + [3]),
                    "\"\(extendee)\" does not declare \(ext.number) as an extension number.")
            }
            if isProto3 && !extendee.hasPrefix("google.protobuf.") {
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [2]),
                    "Extensions in proto3 are only allowed for defining options.")
            }
        }
    }

    private func messageProto(named fullName: String) -> Google_Protobuf_DescriptorProto? {
        guard let symbol = symbols[fullName], symbol.kind == .message else { return nil }
        let owner = symbol.file == file.name ? parsed.proto : dependencies[symbol.file]
        guard let owner else { return nil }
        func search(_ messages: [Google_Protobuf_DescriptorProto], scope: String) -> Google_Protobuf_DescriptorProto? {
            for message in messages {
                let name = qualify(scope, message.name)
                if name == fullName { return message }
                if fullName.hasPrefix(name + "."), let found = search(message.nestedType, scope: name) { return found }
            }
            return nil
        }
        return search(owner.messageType, scope: owner.package)
    }

    // MARK: - Custom options

    /// Interprets custom (parenthesised) options as protoc does: resolves each extension by name from the element's
    /// scope, checks the value against the extension's type, and encodes all of an element's custom options as one
    /// options message would serialize them (extensions in number order, sub-field assignments merged, repeated
    /// values packed where the extension is packed). Options declared with `retention = RETENTION_SOURCE` are
    /// checked and left out, as protoc leaves them out of its output.
    private func applyCustomOptions(_ proto: inout Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
        guard !parsed.customOptions.isEmpty else { return }
        let pool = Array(dependencies.values) + [proto]
        let schema: Schema
        do {
            schema = try Schema(files: pool)
        } catch {
            throw ProtoError(
                .invalidOption, at: parsed.customOptions[0].location, "Options could not be resolved: \(error)")
        }
        var extensionProtos: [String: Google_Protobuf_FieldDescriptorProto] = [:]
        for file in pool {
            for ext in file.extension { extensionProtos[qualify(file.package, ext.name)] = ext }
            func collect(_ messages: [Google_Protobuf_DescriptorProto], scope: String) {
                for message in messages {
                    let name = qualify(scope, message.name)
                    for ext in message.extension { extensionProtos[name + "." + ext.name] = ext }
                    collect(message.nestedType, scope: name)
                }
            }
            collect(file.messageType, scope: file.package)
        }

        var order: [[Int32]] = []
        var byOwner: [[Int32]: [PendingOption]] = [:]
        for option in parsed.customOptions {
            if byOwner[option.ownerPath] == nil { order.append(option.ownerPath) }
            byOwner[option.ownerPath, default: []].append(option)
        }
        for ownerPath in order {
            guard let options = byOwner[ownerPath], let first = options.first else { continue }
            let optionsType = BuiltinOptions.optionsName(first.kind)
            let extensions = schema.extensions[optionsType] ?? []
            let holder = OptionHolder.descriptor(for: extensions, name: optionsType)
            var message = DynamicMessage(descriptor: holder, schema: schema)
            var sourceRetained: Set<Int32> = []
            let scope = scopeName(forOptionsOf: ownerPath, in: proto)
            for option in options {
                guard let head = option.name.first else { continue }
                let displayName = option.name.map { $0.isExtension ? "(\($0.name))" : $0.name }.joined(separator: ".")
                let extName = try lookupExtension(
                    head.name, scope: scope, optionsType: optionsType, at: option.location)
                guard let extProto = extensionProtos[extName] else {
                    throw ProtoError(
                        .invalidOption, at: option.location,
                        "Option \"(\(head.name))\" unknown. Ensure that your proto definition file imports the proto which defines the option."
                    )
                }
                guard extProto.extendee == "." + optionsType,
                    let ext = extensions.first(where: { $0.number == extProto.number })
                else {
                    let shortType = optionsType.split(separator: ".").last.map(String.init) ?? optionsType
                    throw ProtoError(
                        .invalidOption, at: option.location,
                        "Option field \"(\(head.name))\" is not a field or extension of message \"\(shortType)\".")
                }
                if extProto.options.retention == .retentionSource { sourceRetained.insert(ext.number) }
                let resolveExtension: (String, MessageDescriptor) -> FieldDescriptor? = { name, type in
                    guard
                        let full = try? self.lookupExtension(
                            name, scope: scope, optionsType: type.fullName, at: option.location),
                        let proto = extensionProtos[full], proto.extendee == "." + type.fullName
                    else { return nil }
                    return schema.extensions[type.fullName]?.first { $0.number == proto.number }
                }
                try assign(
                    option, parts: option.name.dropFirst(), field: ext, into: &message, schema: schema,
                    displayName: displayName, path: "(\(head.name))",
                    resolveExtension: resolveExtension)
            }
            for number in sourceRetained { message.clear(number) }
            try OptionPath.merge(message.serializedBytes(), into: &proto, ownerPath: ownerPath, at: first.location)
        }
    }

    /// Sets the value of `option` on `field` of `message`, following the remaining name parts into sub-messages and
    /// extensions of sub-messages. As protoc does, a singular field that already holds a value cannot be set again
    /// (whether the earlier value came from an aggregate or a sub-field path), while a message set by an aggregate
    /// can still receive fields the aggregate left unset.
    private func assign(
        _ option: PendingOption, parts: ArraySlice<OptionNamePart>, field: FieldDescriptor,
        into message: inout DynamicMessage, schema: Schema, displayName: String, path: String,
        resolveExtension: @escaping (String, MessageDescriptor) -> FieldDescriptor?
    ) throws(ProtoError) {
        func wrap(_ error: DynamicMessageError) -> ProtoError {
            ProtoError(.invalidOption, at: option.location, "Option \"\(displayName)\": \(error)")
        }
        guard let next = parts.first else {
            if !field.isRepeated && message.has(field.number) {
                throw ProtoError(.invalidOption, at: option.location, "Option \"\(displayName)\" was already set.")
            }
            let value = try optionValue(
                option, field: field, schema: schema, displayName: displayName,
                resolveExtension: resolveExtension)
            do {
                if field.isRepeated {
                    try message.append(value, to: field.number)
                } else {
                    try message.set(field.number, to: value)
                }
            } catch {
                throw wrap(error)
            }
            return
        }
        guard field.type.isMessage, let type = schema.messageType(of: field) else {
            throw ProtoError(
                .invalidOption, at: option.location, "Option \"\(path)\" is an atomic type, not a message.")
        }
        if field.isRepeated {
            throw ProtoError(
                .invalidOption, at: option.location,
                "Option field \"\(path)\" is a repeated message. Repeated message options must be initialized using an aggregate value."
            )
        }
        var sub: DynamicMessage
        if message.has(field.number), case .message(let existing)? = message.get(field.number) {
            sub = existing
        } else {
            sub = DynamicMessage(descriptor: type, schema: schema)
        }
        if next.isExtension {
            guard let ext = resolveExtension(next.name, type) else {
                throw ProtoError(
                    .invalidOption, at: option.location,
                    "Option field \"(\(next.name))\" is not a field or extension of message \"\(type.name)\".")
            }
            // Extensions of the sub-message live in its extension bytes: decode them with a holder type that declares
            // this extension (others stay as they are), set the value, and write them back.
            let holderType = OptionHolder.descriptor(for: [ext], name: type.fullName)
            var holder =
                (try? DynamicMessage(decoding: sub.unknownFields, as: holderType, schema: schema))
                ?? DynamicMessage(descriptor: holderType, schema: schema)
            try assign(
                option, parts: parts.dropFirst(), field: ext, into: &holder, schema: schema, displayName: displayName,
                path: path + ".(\(next.name))", resolveExtension: resolveExtension)
            sub.unknownFields = OptionHolder.sortedByNumber(holder.serializedBytes())
        } else {
            guard let subField = type.field(named: next.name) else {
                throw ProtoError(
                    .invalidOption, at: option.location,
                    "Option field \"\(next.name)\" is not a field or extension of message \"\(type.name)\".")
            }
            try assign(
                option, parts: parts.dropFirst(), field: subField, into: &sub, schema: schema,
                displayName: displayName, path: path + "." + next.name, resolveExtension: resolveExtension)
        }
        do { try message.set(field.number, to: .message(sub)) } catch { throw wrap(error) }
    }

    /// The option's value checked against `field`: an aggregate for a message, else a scalar.
    private func optionValue(
        _ option: PendingOption, field: FieldDescriptor, schema: Schema, displayName: String,
        resolveExtension: @escaping (String, MessageDescriptor) -> FieldDescriptor?
    ) throws(ProtoError) -> ProtoValue {
        if case .aggregate(let text) = option.value {
            guard field.type.isMessage, let type = schema.messageType(of: field) else {
                throw ProtoError(
                    .invalidOption, at: option.location,
                    "Option \"\(displayName)\" is an atomic type, not a message: it cannot take an aggregate value.")
            }
            var parser = try AggregateParser(
                text: text, schema: schema, location: option.location,
                resolveExtension: resolveExtension)
            return .message(try parser.parse(as: type))
        }
        return try OptionValueConversion.convert(
            option.value, to: field, schema: schema, optionName: displayName,
            at: option.location)
    }

    /// The scope custom option names resolve from: the element's full name (protoc's `name_scope`); file options
    /// resolve from the package.
    private func scopeName(forOptionsOf ownerPath: [Int32], in proto: Google_Protobuf_FileDescriptorProto) -> String {
        var scope = proto.package
        var path = ownerPath[...]
        guard let head = path.popFirst() else { return scope }
        switch head {
        case 4:
            guard let i = path.popFirst(), proto.messageType.indices.contains(Int(i)) else { return scope }
            var message = proto.messageType[Int(i)]
            scope = qualify(scope, message.name)
            while let kind = path.popFirst(), let index = path.popFirst() {
                let position = Int(index)
                if kind == 3, message.nestedType.indices.contains(position) {
                    message = message.nestedType[position]
                    scope += "." + message.name
                } else if kind == 2, message.field.indices.contains(position) {
                    return scope + "." + message.field[position].name
                } else if kind == 4, message.enumType.indices.contains(position) {
                    return scope + "." + message.enumType[position].name
                } else {
                    return scope + ".options"
                }
            }
            return scope
        case 5:
            guard let i = path.popFirst(), proto.enumType.indices.contains(Int(i)) else { return scope }
            return qualify(scope, proto.enumType[Int(i)].name)
        case 6:
            guard let i = path.popFirst(), proto.service.indices.contains(Int(i)) else { return scope }
            scope = qualify(scope, proto.service[Int(i)].name)
            if path.popFirst() == 2, let j = path.popFirst(), proto.service[Int(i)].method.indices.contains(Int(j)) {
                return scope + "." + proto.service[Int(i)].method[Int(j)].name
            }
            return scope
        case 7:
            guard let i = path.popFirst(), proto.extension.indices.contains(Int(i)) else { return scope }
            return qualify(scope, proto.extension[Int(i)].name)
        default:
            return qualify(scope, "options")
        }
    }

    /// Resolves an option extension name like protoc's `LookupSymbol` (any kind of symbol, innermost scope first),
    /// then checks it extends `optionsType`.
    private func lookupExtension(_ name: String, scope: String, optionsType: String, at location: SourceLocation)
        throws(ProtoError) -> String
    {
        var found: (String, SymbolTable.Symbol)? = nil
        if name.hasPrefix(".") {
            let full = String(name.dropFirst())
            if let symbol = try find(full, at: location) { found = (full, symbol) }
        } else {
            let firstPart = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
            var scopeToTry = scope
            while found == nil {
                guard let dot = scopeToTry.lastIndex(of: ".") else {
                    if let symbol = try find(name, at: location) { found = (name, symbol) }
                    break
                }
                scopeToTry = String(scopeToTry[..<dot])
                let candidate = scopeToTry + "." + firstPart
                if let symbol = try find(candidate, at: location) {
                    if firstPart.count < name.count {
                        if symbol.kind.isAggregate {
                            let full = scopeToTry + "." + name
                            if let resolved = try find(full, at: location) { found = (full, resolved) }
                            break
                        }
                    } else {
                        found = (candidate, symbol)
                    }
                }
            }
        }
        guard let (fullName, symbol) = found else {
            throw ProtoError(
                .invalidOption, at: location,
                "Option \"(\(name))\" unknown. Ensure that your proto definition file imports the proto which defines the option."
            )
        }
        let shortType = optionsType.split(separator: ".").last.map(String.init) ?? optionsType
        guard symbol.kind == .extension else {
            throw ProtoError(
                .invalidOption, at: location,
                "Option field \"(\(name))\" is not a field or extension of message \"\(shortType)\".")
        }
        return fullName
    }
}
