import SwiftProtobuf

/// One side of a check indexed for comparison: every message and enum by full name, with the file, package and
/// descriptor path that locate it. Built from raw descriptors because the rules need what the resolved ``Schema``
/// leaves out (reserved ranges and names, labels as written, defaults, oneof names).
struct CompatibilityPool {
    struct Message: PooledDeclaration {
        let fullName: String
        let relativeName: String
        let file: String
        let path: [Int32]
        let proto: Google_Protobuf_DescriptorProto
        /// The message's resolved features (what its fields inherit).
        let features: ResolvedFeatures
    }

    struct Enum: PooledDeclaration {
        let fullName: String
        let relativeName: String
        let file: String
        let path: [Int32]
        let proto: Google_Protobuf_EnumDescriptorProto
        /// The enum's resolved features (open or closed, JSON format).
        let features: ResolvedFeatures
    }

    struct Service {
        let fullName: String
        let file: String
        let path: [Int32]
        let proto: Google_Protobuf_ServiceDescriptorProto
    }

    /// An extension field of a requested file: the message it extends, and the scope declaring it (a pseudo
    /// message named after the package for a file-level extension).
    struct Extension {
        let extendee: String
        let scope: Message
        let field: Google_Protobuf_FieldDescriptorProto
        let path: [Int32]
    }

    let side: String
    let schema: CompatibilitySchema
    private(set) var messages: [String: Message] = [:]
    private(set) var enums: [String: Enum] = [:]
    /// Top-level messages and enums of the requested files, by name relative to the package, in declaration order.
    private(set) var topLevelMessages: [Message] = []
    private(set) var topLevelEnums: [Enum] = []
    /// Every message and enum of the requested files, nested or not, in declaration order.
    private(set) var requestedMessages: [Message] = []
    private(set) var requestedEnums: [Enum] = []
    /// The services of the requested files, in declaration order.
    private(set) var requestedServices: [Service] = []
    /// The extension fields of the requested files, nested or not, in declaration order.
    private(set) var requestedExtensions: [Extension] = []
    /// The requested files' packages, by file name.
    private(set) var packages: [String: String] = [:]

    init(side: String, schema: CompatibilitySchema) {
        self.side = side
        self.schema = schema
        let requested = Set(schema.requested)
        for file in schema.files {
            let fileFeatures = ResolvedFeatures(file: file)
            let isRequested = requested.contains(file.name)
            if isRequested { packages[file.name] = file.package }
            func qualify(_ name: String, scope: String) -> String { scope.isEmpty ? name : scope + "." + name }
            func relative(_ fullName: String) -> String {
                file.package.isEmpty ? fullName : String(fullName.dropFirst(file.package.count + 1))
            }
            func collect(
                _ message: Google_Protobuf_DescriptorProto, scope: String, path: [Int32], parent: ResolvedFeatures
            ) {
                let fullName = qualify(message.name, scope: scope)
                let features = parent.message(message)
                let entry = Message(
                    fullName: fullName, relativeName: relative(fullName), file: file.name, path: path, proto: message,
                    features: features)
                messages[fullName] = entry
                if isRequested && path.count == 2 { topLevelMessages.append(entry) }
                if isRequested {
                    requestedMessages.append(entry)
                    for (i, field) in message.extension.enumerated() {
                        requestedExtensions.append(
                            Extension(
                                extendee: Self.trimmed(field.extendee), scope: entry, field: field,
                                path: path + [6, Int32(i)]))
                    }
                }
                for (i, nested) in message.nestedType.enumerated() {
                    collect(nested, scope: fullName, path: path + [3, Int32(i)], parent: features)
                }
                for (i, nestedEnum) in message.enumType.enumerated() {
                    let enumName = qualify(nestedEnum.name, scope: fullName)
                    let entry = Enum(
                        fullName: enumName, relativeName: relative(enumName), file: file.name,
                        path: path + [4, Int32(i)], proto: nestedEnum, features: features.enumType(nestedEnum))
                    enums[enumName] = entry
                    if isRequested { requestedEnums.append(entry) }
                }
            }
            for (i, message) in file.messageType.enumerated() {
                collect(message, scope: file.package, path: [4, Int32(i)], parent: fileFeatures)
            }
            for (i, topEnum) in file.enumType.enumerated() {
                let enumName = qualify(topEnum.name, scope: file.package)
                let entry = Enum(
                    fullName: enumName, relativeName: relative(enumName), file: file.name, path: [5, Int32(i)],
                    proto: topEnum, features: fileFeatures.enumType(topEnum))
                enums[enumName] = entry
                if isRequested {
                    topLevelEnums.append(entry)
                    requestedEnums.append(entry)
                }
            }
            if isRequested {
                let fileScope = Message(
                    fullName: file.package, relativeName: "", file: file.name, path: [],
                    proto: Google_Protobuf_DescriptorProto(), features: fileFeatures)
                for (i, field) in file.extension.enumerated() {
                    requestedExtensions.append(
                        Extension(
                            extendee: Self.trimmed(field.extendee), scope: fileScope, field: field, path: [7, Int32(i)])
                    )
                }
                for (i, service) in file.service.enumerated() {
                    requestedServices.append(
                        Service(
                            fullName: qualify(service.name, scope: file.package), file: file.name,
                            path: [6, Int32(i)], proto: service))
                }
            }
        }
    }

    /// A full name without the leading dot descriptors write in type names (`.acme.v1.User` -> `acme.v1.User`).
    static func trimmed(_ name: String) -> String { name.hasPrefix(".") ? String(name.dropFirst()) : name }

    /// The message a field's type name refers to (type names are fully qualified with a leading dot).
    func message(typeName: String) -> Message? {
        messages[Self.trimmed(typeName)]
    }

    /// The enum a field's type name refers to.
    func enumType(typeName: String) -> Enum? {
        enums[Self.trimmed(typeName)]
    }

    /// The message of the requested files whose name relative to its package is `relativeName`.
    func requestedMessage(relativeName: String) -> Message? {
        let requested = Set(schema.requested)
        return messages.values.filter { requested.contains($0.file) && $0.relativeName == relativeName }
            .min { $0.file < $1.file }
    }

    /// A finding side for the element at `path` of `file`: the exact location of the sub-path (a field's type or name
    /// token) when recorded, else of `path`, else the closest ancestor's.
    func locate(file: String, path: [Int32], detail: [Int32] = [], element: String) -> FindingLocation {
        let locations = schema.locations
        if let found = (detail.isEmpty ? nil : locations.exact(file: file, path: path + detail))
            ?? locations.location(file: file, path: path)
        {
            return FindingLocation(file: found.file, line: found.line, column: found.column, element: element)
        }
        return FindingLocation(file: file, line: 0, column: 0, element: element)
    }
}
