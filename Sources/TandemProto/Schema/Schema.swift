import SwiftProtobuf

/// A resolved pool of protobuf types: every message and enum of a set of files, by full name.
///
/// A schema is an immutable value built once from linked `FileDescriptorProto`s, whether they come from parsed
/// `.proto` files (``ProtoCompiler``) or from a binary `FileDescriptorSet`. Pools are independent: a v1 schema and
/// a v2 schema may define the same full names.
public final class Schema: Sendable {
    /// The files of the pool, dependencies before dependents.
    public let files: [Google_Protobuf_FileDescriptorProto]
    /// Every message type, indexed by ``MessageDescriptor/index``.
    public let messages: [MessageDescriptor]
    /// Every enum type, indexed by ``EnumDescriptor/index``.
    public let enums: [EnumDescriptor]
    /// Extensions declared in the pool, by extendee full name.
    public let extensions: [String: [FieldDescriptor]]

    private let messageIndex: [String: Int]
    private let enumIndex: [String: Int]

    /// Builds the schema of linked files (type names fully qualified with a leading dot, as protoc writes them).
    ///
    /// - Throws: ``SchemaError`` when a type name does not resolve within the given files.
    public init(files: [Google_Protobuf_FileDescriptorProto]) throws(SchemaError) {
        self.files = files
        var messageNames: [String: Int] = [:]
        var enumNames: [String: Int] = [:]
        // Each message and enum with its name, file and resolved features (editions' `features`, or what the
        // file's syntax means).
        var messageSources:
            [(Google_Protobuf_DescriptorProto, String, Google_Protobuf_FileDescriptorProto, ResolvedFeatures)] = []
        var enumSources:
            [(Google_Protobuf_EnumDescriptorProto, String, Google_Protobuf_FileDescriptorProto, ResolvedFeatures)] = []

        func collect(
            _ message: Google_Protobuf_DescriptorProto, scope: String, file: Google_Protobuf_FileDescriptorProto,
            parent: ResolvedFeatures
        ) {
            let fullName = scope.isEmpty ? message.name : scope + "." + message.name
            let features = parent.message(message)
            messageNames[fullName] = messageSources.count
            messageSources.append((message, fullName, file, features))
            for nested in message.nestedType { collect(nested, scope: fullName, file: file, parent: features) }
            for nestedEnum in message.enumType {
                let enumName = fullName + "." + nestedEnum.name
                enumNames[enumName] = enumSources.count
                enumSources.append((nestedEnum, enumName, file, features.enumType(nestedEnum)))
            }
        }
        var fileFeatures: [ResolvedFeatures] = []
        for file in files {
            let features = ResolvedFeatures(file: file)
            fileFeatures.append(features)
            for message in file.messageType { collect(message, scope: file.package, file: file, parent: features) }
            for topEnum in file.enumType {
                let enumName = file.package.isEmpty ? topEnum.name : file.package + "." + topEnum.name
                enumNames[enumName] = enumSources.count
                enumSources.append((topEnum, enumName, file, features.enumType(topEnum)))
            }
        }

        var enums: [EnumDescriptor] = []
        enums.reserveCapacity(enumSources.count)
        for (index, (proto, fullName, _, features)) in enumSources.enumerated() {
            enums.append(
                EnumDescriptor(
                    fullName: fullName,
                    values: proto.value.map { .init(name: $0.name, number: $0.number) },
                    isClosed: features.enumType == .closed,
                    index: index
                ))
        }

        func resolve(
            _ field: Google_Protobuf_FieldDescriptorProto, in file: Google_Protobuf_FileDescriptorProto,
            owner: String, isExtension: Bool, features: ResolvedFeatures
        ) throws(SchemaError) -> FieldDescriptor {
            guard var type = FieldType(field.type) else {
                throw SchemaError(
                    .unresolvedType, file: file.name, element: owner + "." + field.name,
                    detail: "field has no type")
            }
            var typeName: String? = nil
            var messageIdx: Int? = nil
            var enumIdx: Int? = nil
            if type.isMessage || type == .enum {
                let name = field.typeName.hasPrefix(".") ? String(field.typeName.dropFirst()) : field.typeName
                typeName = name
                if type == .enum {
                    guard let found = enumNames[name] else {
                        throw SchemaError(
                            .unresolvedType, file: file.name, element: owner + "." + field.name,
                            detail: "enum type \"\(field.typeName)\" is not defined")
                    }
                    enumIdx = found
                } else {
                    guard let found = messageNames[name] else {
                        throw SchemaError(
                            .unresolvedType, file: file.name, element: owner + "." + field.name,
                            detail: "message type \"\(field.typeName)\" is not defined")
                    }
                    messageIdx = found
                }
            }
            let repeated = field.label == .repeated
            let oneofIndex = field.hasOneofIndex ? Int(field.oneofIndex) : nil
            var isMap = false
            if repeated, type == .message, let idx = messageIdx {
                isMap = messageSources[idx].0.options.mapEntry
            }
            // Editions' DELIMITED message encoding is the group wire format.
            if features.isDelimited(field, isMap: isMap) { type = .group }
            let cardinality: FieldDescriptor.Cardinality =
                repeated ? .repeated : (features.isRequired(field) ? .required : .optional)
            return FieldDescriptor(
                name: field.name,
                number: field.number,
                jsonName: field.hasJsonName ? field.jsonName : ProtoNames.jsonName(field.name),
                type: type,
                cardinality: cardinality,
                hasPresence: features.hasPresence(field, isExtension: isExtension),
                isPacked: features.isPacked(field, isPackable: type.isPackable),
                oneofIndex: oneofIndex,
                isProto3Optional: field.proto3Optional,
                typeName: typeName,
                defaultValueText: field.hasDefaultValue ? field.defaultValue : nil,
                isMap: isMap,
                validatesUTF8: type == .string && features.validatesUTF8,
                isExtension: isExtension,
                messageIndex: messageIdx,
                enumIndex: enumIdx
            )
        }

        // Every extension first: an extended message carries its extensions as fields of its own.
        var extensions: [String: [FieldDescriptor]] = [:]
        var extensionFields: [String: [FieldDescriptor]] = [:]
        func addExtension(
            _ ext: Google_Protobuf_FieldDescriptorProto, scope: String, in file: Google_Protobuf_FileDescriptorProto,
            features: ResolvedFeatures
        ) throws(SchemaError) {
            let resolved = try resolve(ext, in: file, owner: scope, isExtension: true, features: features)
            let extendee = ext.extendee.hasPrefix(".") ? String(ext.extendee.dropFirst()) : ext.extendee
            extensions[extendee, default: []].append(resolved)
            // Named as protobuf's text and JSON formats name an extension: its full name in brackets.
            let bracketed = "[" + (scope.isEmpty ? ext.name : scope + "." + ext.name) + "]"
            extensionFields[extendee, default: []].append(resolved.renamed(bracketed))
        }
        for (proto, fullName, file, features) in messageSources {
            for ext in proto.extension {
                try addExtension(ext, scope: fullName, in: file, features: features.field(ext, in: proto))
            }
        }
        for (file, features) in zip(files, fileFeatures) {
            for ext in file.extension {
                try addExtension(ext, scope: file.package, in: file, features: features.field(ext, in: nil))
            }
        }

        var messages: [MessageDescriptor] = []
        messages.reserveCapacity(messageSources.count)
        for (index, (proto, fullName, file, features)) in messageSources.enumerated() {
            var oneofMembers = [[Int32]](repeating: [], count: proto.oneofDecl.count)
            var synthetic = [Bool](repeating: false, count: proto.oneofDecl.count)
            for field in proto.field where field.hasOneofIndex {
                let i = Int(field.oneofIndex)
                guard i >= 0 && i < oneofMembers.count else {
                    throw SchemaError(
                        .invalidDescriptor, file: file.name, element: fullName + "." + field.name,
                        detail: "oneof_index \(i) out of range")
                }
                oneofMembers[i].append(field.number)
                if field.proto3Optional { synthetic[i] = true }
            }
            var fields: [FieldDescriptor] = []
            fields.reserveCapacity(proto.field.count)
            for field in proto.field {
                fields.append(
                    try resolve(
                        field, in: file, owner: fullName, isExtension: false,
                        features: features.field(field, in: proto)))
            }
            // Extensions whose number a field already has (a descriptor set that is not valid) are left out.
            let declared = Set(fields.map(\.number))
            fields += (extensionFields[fullName] ?? []).filter { !declared.contains($0.number) }
            let oneofs = proto.oneofDecl.enumerated().map { i, decl in
                OneofDescriptor(name: decl.name, fieldNumbers: oneofMembers[i], isSynthetic: synthetic[i])
            }
            messages.append(
                MessageDescriptor(
                    fullName: fullName, fields: fields, oneofs: oneofs, isMapEntry: proto.options.mapEntry,
                    isProto3: Self.isProto3(file), index: index, file: file.name))
        }
        self.messages = messages
        self.enums = enums
        self.extensions = extensions
        self.messageIndex = messageNames
        self.enumIndex = enumNames
    }

    /// Builds the schema of a serialized `FileDescriptorSet` (as written by `protoc --descriptor_set_out`).
    ///
    /// - Throws: ``SchemaError`` when the bytes are not a descriptor set or a type does not resolve.
    public convenience init(descriptorSet bytes: [UInt8], origin: String = "<descriptor set>") throws(SchemaError) {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        } catch {
            throw SchemaError(
                .invalidDescriptor, file: origin, element: nil,
                detail: "not a FileDescriptorSet: \(error)")
        }
        try self.init(files: set.file)
    }

    /// The message named `fullName` (with or without a leading dot), if defined.
    public func message(named fullName: String) -> MessageDescriptor? {
        let name = fullName.hasPrefix(".") ? String(fullName.dropFirst()) : fullName
        return messageIndex[name].map { messages[$0] }
    }

    /// The enum named `fullName` (with or without a leading dot), if defined.
    public func enumType(named fullName: String) -> EnumDescriptor? {
        let name = fullName.hasPrefix(".") ? String(fullName.dropFirst()) : fullName
        return enumIndex[name].map { enums[$0] }
    }

    /// The message type of a message or group field.
    @inline(__always)
    public func messageType(of field: FieldDescriptor) -> MessageDescriptor? {
        field.messageIndex.map { messages[$0] }
    }

    /// The enum type of an enum field.
    @inline(__always)
    public func enumType(of field: FieldDescriptor) -> EnumDescriptor? {
        field.enumIndex.map { enums[$0] }
    }

    /// The file named `name`, if part of the pool.
    public func file(named name: String) -> Google_Protobuf_FileDescriptorProto? {
        files.first { $0.name == name }
    }

    static func isProto3(_ file: Google_Protobuf_FileDescriptorProto) -> Bool { file.syntax == "proto3" }
}
