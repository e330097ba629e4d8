import SwiftProtobuf

extension Linker {
    /// Checks an editions file's features as protoc does: each feature set only where it means something, defaults
    /// only on fields with explicit presence, closed enums never behind implicit presence, open enums starting at
    /// zero, distinct JSON names under `json_format = ALLOW`, and edition 2024's naming style.
    func checkFeatures(_ proto: Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
        try checkFeatureSupport(proto)
        let features = ResolvedFeatures(file: proto).merging(sourceFeatures([8]))
        if proto.options.features.hasFieldPresence && proto.options.features.fieldPresence == .legacyRequired {
            throw ProtoError(.invalidDefinition, at: loc([8]), "Required presence can't be specified by default.")
        }
        for (i, message) in proto.messageType.enumerated() {
            try checkFeatures(message, path: [4, Int32(i)], parent: features)
        }
        for (i, enumType) in proto.enumType.enumerated() {
            try checkFeatures(enumType, path: [5, Int32(i)], parent: features)
        }
        for (i, field) in proto.extension.enumerated() {
            try checkFeatures(
                field, path: [7, Int32(i)], features: features.field(field, in: nil), message: nil, isExtension: true)
        }
        // Naming style last, as protoc reports it after every other problem.
        try checkNames(proto, features: features)
    }

    /// Options and features the file's edition no longer has, or does not have yet; each reported at the name of
    /// the element that sets it (a file's at its package), as protoc reports it.
    private func checkFeatureSupport(_ proto: Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
        let edition = proto.edition
        if edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue && proto.options.hasJavaMultipleFiles {
            throw ProtoError(
                .invalidOption, at: loc([2]),
                "google.protobuf.FileOptions.java_multiple_files has been removed in edition 2024: This behavior is enabled by default in editions 2024 and above. To disable it, you can set `features.(pb.java).nest_in_file_class = YES` on individual messages, enums, or services."
            )
        }
        // Only source-retained features are newer than 2023, and the descriptor no longer holds them.
        for (optionsPath, set) in parsed.sourceFeatures.sorted(by: { Self.precedes(loc($0.key), loc($1.key)) }) {
            let element = Array(optionsPath.dropLast())
            let location = element.isEmpty ? loc([2]) : loc(element + [1])
            for (name, isSet) in [
                ("enforce_naming_style", set.hasEnforceNamingStyle),
                ("default_symbol_visibility", set.hasDefaultSymbolVisibility),
            ] where isSet {
                guard let introduced = EditionRules.features[name]?.introduced, edition.rawValue < introduced.rawValue
                else { continue }
                throw ProtoError(
                    .invalidOption, at: location,
                    "google.protobuf.FeatureSet.\(name) wasn't introduced until edition \(EditionRules.editionName(introduced)) and can't be used in edition \(EditionRules.editionName(edition))"
                )
            }
        }
    }

    private func checkFeatures(
        _ message: Google_Protobuf_DescriptorProto, path: [Int32], parent: ResolvedFeatures
    ) throws(ProtoError) {
        let features = parent.message(message)
        // A map entry's key and value carry the map field's features, checked on the map field.
        for (i, field) in message.field.enumerated() where !message.options.mapEntry {
            try checkFeatures(
                field, path: path + [2, Int32(i)], features: features.field(field, in: message), message: message,
                isExtension: false)
        }
        for (i, field) in message.extension.enumerated() {
            try checkFeatures(
                field, path: path + [6, Int32(i)], features: features.field(field, in: message), message: message,
                isExtension: true)
        }
        if features.jsonFormat == .allow && !message.options.mapEntry { try checkJSONNames(message, path: path) }
        for (i, nested) in message.nestedType.enumerated() {
            try checkFeatures(nested, path: path + [3, Int32(i)], parent: features)
        }
        for (i, enumType) in message.enumType.enumerated() {
            try checkFeatures(enumType, path: path + [4, Int32(i)], parent: features)
        }
    }

    private func checkFeatures(
        _ field: Google_Protobuf_FieldDescriptorProto, path: [Int32], features: ResolvedFeatures,
        message: Google_Protobuf_DescriptorProto?, isExtension: Bool
    ) throws(ProtoError) {
        let own = field.options.features
        let at = loc(path + [1])
        let isMessage = field.type == .message || field.type == .group
        let isMap =
            field.label == .repeated && field.type == .message
            && (message?.nestedType.contains { $0.options.mapEntry && field.typeName.hasSuffix("." + $0.name) }
                ?? false)
        if own.hasFieldPresence {
            if field.hasOneofIndex {
                throw ProtoError(.invalidDefinition, at: at, "Oneof fields can't specify field presence.")
            }
            if field.label == .repeated {
                throw ProtoError(.invalidDefinition, at: at, "Repeated fields can't specify field presence.")
            }
            if isExtension {
                throw ProtoError(.invalidDefinition, at: at, "Extensions can't specify field presence.")
            }
            if isMessage && own.fieldPresence == .implicit {
                throw ProtoError(.invalidDefinition, at: at, "Message fields can't specify implicit presence.")
            }
        }
        if own.hasRepeatedFieldEncoding && field.label != .repeated {
            throw ProtoError(.invalidDefinition, at: at, "Only repeated fields can specify repeated field encoding.")
        }
        if own.hasUtf8Validation && field.type != .string && !isMap {
            throw ProtoError(.invalidDefinition, at: at, "Only string fields can specify utf8 validation.")
        }
        if own.hasMessageEncoding && (!isMessage || isMap) {
            throw ProtoError(.invalidDefinition, at: at, "Only message fields can specify message encoding.")
        }
        let implicit = !features.hasPresence(field, isExtension: isExtension) && field.label != .repeated
        if implicit && field.hasDefaultValue {
            throw ProtoError(.invalidDefinition, at: at, "Implicit presence fields can't specify defaults.")
        }
        if implicit && field.type == .enum,
            let declaration = enumDeclaration(named: String(field.typeName.dropFirst())),
            declaration.features.enumType == .closed
        {
            throw ProtoError(.invalidDefinition, at: at, "Implicit presence enum fields must always be open.")
        }
    }

    private func checkFeatures(
        _ enumType: Google_Protobuf_EnumDescriptorProto, path: [Int32], parent: ResolvedFeatures
    ) throws(ProtoError) {
        if parent.enumType(enumType).enumType == .open, let first = enumType.value.first, first.number != 0 {
            throw ProtoError(
                .invalidDefinition, at: loc(path + [2, 0, 2]), "The first enum value must be zero for open enums.")
        }
    }

    // MARK: Naming style

    /// Edition 2024's naming style, wherever `enforce_naming_style` resolves to STYLE2024.
    private func checkNames(_ proto: Google_Protobuf_FileDescriptorProto, features: ResolvedFeatures)
        throws(ProtoError)
    {
        if features.enforceNamingStyle == .style2024 {
            let parts = proto.package.split(separator: ".").map(String.init)
            if let violation = parts.lazy.compactMap({ EditionRules.styleViolation($0, .lowerSnakeCase) }).first {
                throw nameError("Package", proto.package, violation, at: loc([2]))
            }
        }
        for (i, message) in proto.messageType.enumerated() {
            try checkNames(message, path: [4, Int32(i)], parent: features)
        }
        for (i, enumType) in proto.enumType.enumerated() {
            try checkNames(enumType, path: [5, Int32(i)], parent: features)
        }
        for (i, field) in proto.extension.enumerated() {
            let path: [Int32] = [7, Int32(i)]
            try checkName(
                field.name, "Field", .lowerSnakeCase,
                features.field(field, in: nil).merging(sourceFeatures(path + [8])), at: path)
        }
        for (i, service) in proto.service.enumerated() {
            let serviceFeatures = features.merging(service.options.features).merging(sourceFeatures([6, Int32(i), 3]))
            try checkName(service.name, "Service", .titleCase, serviceFeatures, at: [6, Int32(i)])
            for (j, method) in service.method.enumerated() {
                let path: [Int32] = [6, Int32(i), 2, Int32(j)]
                try checkName(
                    method.name, "Method", .titleCase,
                    serviceFeatures.merging(method.options.features).merging(sourceFeatures(path + [4])), at: path)
            }
        }
    }

    private func checkNames(_ message: Google_Protobuf_DescriptorProto, path: [Int32], parent: ResolvedFeatures)
        throws(ProtoError)
    {
        let features = parent.message(message).merging(sourceFeatures(path + [7]))
        // Map entries are named by protoc (`FooEntry`), and group-like fields after their types.
        if !message.options.mapEntry { try checkName(message.name, "Message", .titleCase, features, at: path) }
        for (kind, fields) in [(Int32(2), message.field), (6, message.extension)] {
            for (i, field) in fields.enumerated() {
                let fieldPath = path + [kind, Int32(i)]
                let oneofPath = path + [8, field.oneofIndex, 2]
                let fieldFeatures = features.merging(field.hasOneofIndex ? sourceFeatures(oneofPath) : .init())
                    .field(field, in: message).merging(sourceFeatures(fieldPath + [8]))
                try checkName(field.name, "Field", .lowerSnakeCase, fieldFeatures, at: fieldPath)
            }
        }
        for (i, oneof) in message.oneofDecl.enumerated() {
            let oneofPath = path + [8, Int32(i)]
            try checkName(
                oneof.name, "Oneof", .lowerSnakeCase,
                features.merging(oneof.options.features).merging(sourceFeatures(oneofPath + [2])), at: oneofPath)
        }
        for (i, nested) in message.nestedType.enumerated() {
            try checkNames(nested, path: path + [3, Int32(i)], parent: features)
        }
        for (i, enumType) in message.enumType.enumerated() {
            try checkNames(enumType, path: path + [4, Int32(i)], parent: features)
        }
    }

    private func checkNames(_ enumType: Google_Protobuf_EnumDescriptorProto, path: [Int32], parent: ResolvedFeatures)
        throws(ProtoError)
    {
        let features = parent.enumType(enumType).merging(sourceFeatures(path + [3]))
        try checkName(enumType.name, "Enum", .titleCase, features, at: path)
        for (i, value) in enumType.value.enumerated() {
            let valuePath = path + [2, Int32(i)]
            try checkName(
                value.name, "Enum value", .upperSnakeCase,
                features.merging(value.options.features).merging(sourceFeatures(valuePath + [3])), at: valuePath)
        }
    }

    private func checkName(
        _ name: String, _ what: String, _ style: EditionRules.NameStyle, _ features: ResolvedFeatures, at path: [Int32]
    ) throws(ProtoError) {
        guard features.enforceNamingStyle == .style2024, let violation = EditionRules.styleViolation(name, style)
        else { return }
        throw nameError(what, name, violation, at: loc(path + [1]))
    }

    /// Whether `a` comes before `b` in the file: the first problem found is the first one reported.
    private static func precedes(_ a: SourceLocation, _ b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// The source-retained features set by the options at `path`.
    private func sourceFeatures(_ path: [Int32]) -> Google_Protobuf_FeatureSet {
        parsed.sourceFeatures[path] ?? Google_Protobuf_FeatureSet()
    }

    private func nameError(_ what: String, _ name: String, _ violation: String, at location: SourceLocation)
        -> ProtoError
    {
        ProtoError(
            .invalidDefinition, at: location,
            "\(what) name \(name) \(violation) (features.enforce_naming_style = STYLE_LEGACY can be used to opt out of this check)"
        )
    }
}
