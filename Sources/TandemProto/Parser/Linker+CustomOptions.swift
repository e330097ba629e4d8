import Foundation
import SwiftProtobuf

extension Linker {
    // MARK: - Custom options

    /// Interprets custom (parenthesised) options as protoc does: resolves each extension by name from the element's
    /// scope, checks the value against the extension's type, and encodes all of an element's custom options as one
    /// options message would serialize them (extensions in number order, sub-field assignments merged, repeated
    /// values packed where the extension is packed). Options declared with `retention = RETENTION_SOURCE` are
    /// checked and left out, as protoc leaves them out of its output.
    func applyCustomOptions(_ proto: inout Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
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
            // A name that starts with a built-in field (`features.(pb.cpp).string_type`) goes through that field.
            let builtinHeads = Set(options.compactMap { $0.name.first }.filter { !$0.isExtension }.map(\.name))
            let builtins = (schema.message(named: optionsType)?.fields ?? []).filter { builtinHeads.contains($0.name) }
            let holder = OptionHolder.descriptor(
                for: (extensions + builtins).sorted { $0.number < $1.number }, name: optionsType)
            var message = DynamicMessage(descriptor: holder, schema: schema)
            var sourceRetained: Set<Int32> = []
            let scope = scopeName(forOptionsOf: ownerPath, in: proto)
            for option in options {
                guard let head = option.name.first else { continue }
                let displayName = option.name.map { $0.isExtension ? "(\($0.name))" : $0.name }.joined(separator: ".")
                let resolveExtension: (String, MessageDescriptor) -> FieldDescriptor? = { name, type in
                    guard
                        let full = try? self.lookupExtension(
                            name, scope: scope, optionsType: type.fullName, at: option.location),
                        let proto = extensionProtos[full], proto.extendee == "." + type.fullName
                    else { return nil }
                    return schema.extensions[type.fullName]?.first { $0.number == proto.number }
                }
                if !head.isExtension {
                    guard let builtin = builtins.first(where: { $0.name == head.name }) else {
                        throw ProtoError(.invalidOption, at: option.location, "Option \"\(displayName)\" unknown.")
                    }
                    try assign(
                        option, parts: option.name.dropFirst(), field: builtin, into: &message, schema: schema,
                        displayName: displayName, path: head.name, resolveExtension: resolveExtension)
                    continue
                }
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
    func assign(
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
            do { try message.store(value, in: field) } catch { throw wrap(error) }
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
    func optionValue(
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
    func scopeName(forOptionsOf ownerPath: [Int32], in proto: Google_Protobuf_FileDescriptorProto) -> String {
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
    func lookupExtension(_ name: String, scope: String, optionsType: String, at location: SourceLocation)
        throws(ProtoError) -> String
    {
        var found: (String, SymbolTable.Symbol)? = nil
        if name.hasPrefix(".") {
            let full = String(name.dropFirst())
            if let symbol = try find(full, at: location) { found = (full, symbol) }
        } else if case .found(let full, let symbol) = try lookUp(
            name, from: scope, at: location, accepting: { _ in true })
        {
            found = (full, symbol)
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
