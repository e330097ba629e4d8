import SwiftProtobuf

/// What editions allow and forbid in a `.proto` file, in protoc's words: which built-in options a file of a given
/// syntax or edition may set, which elements each feature may be set on, and edition 2024's naming style.
package enum EditionRules {
    /// Features declared with `retention = RETENTION_SOURCE`: checked, then left out of descriptors as protoc does.
    static let sourceRetainedFeatures: Set<String> = ["enforce_naming_style", "default_symbol_visibility"]

    /// The elements each feature of `google.protobuf.FeatureSet` may be set on (its `targets`), and the edition it
    /// was introduced in.
    static let features: [String: (targets: Set<OptionKind>, introduced: Google_Protobuf_Edition)] = [
        "field_presence": ([.file, .field], .edition2023),
        "enum_type": ([.file, .enum], .edition2023),
        "repeated_field_encoding": ([.file, .field], .edition2023),
        "utf8_validation": ([.file, .field], .edition2023),
        "message_encoding": ([.file, .field], .edition2023),
        "json_format": ([.file, .message, .enum], .edition2023),
        "enforce_naming_style": (
            [.file, .extensionRange, .message, .field, .oneof, .enum, .enumValue, .service, .method], .edition2024
        ),
        "default_symbol_visibility": ([.file], .edition2024),
    ]

    /// Where an option is set, for errors at the places protoc puts them.
    struct OptionSite {
        /// The option's name.
        var option: SourceLocation
        /// The name and the start of the field a bracketed field option is set on.
        var fieldName: SourceLocation? = nil
        var fieldStart: SourceLocation? = nil
    }

    /// Checks that a built-in option may be set in a file of `edition` (`nil` for proto2 and proto3) on an element
    /// of `kind`.
    static func checkOption(
        name: [OptionNamePart], kind: OptionKind, edition: Google_Protobuf_Edition?, at site: OptionSite
    ) throws(ProtoError) {
        let location = site.option
        let fieldName = site.fieldName
        let fieldStart = site.fieldStart
        guard let first = name.first?.name else { return }
        if first == "features" {
            guard edition != nil else {
                throw ProtoError(
                    .invalidOption, at: fieldName ?? location, "Features are only valid under editions.")
            }
            guard name.count > 1, let feature = features[name[1].name] else { return }
            if !feature.targets.contains(kind) {
                throw ProtoError(
                    .invalidOption, at: location,
                    "Option google.protobuf.FeatureSet.\(name[1].name) cannot be set on an entity of type `\(entityName(kind))`."
                )
            }
            return
        }
        guard let edition, name.count == 1 else { return }
        if first == "packed" && kind == .field {
            throw ProtoError(
                .invalidOption, at: fieldName ?? location,
                "Field option packed is not allowed under editions.  Use the repeated_field_encoding feature to control this behavior."
            )
        }
        guard edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue else { return }
        if first == "ctype" && kind == .field {
            throw ProtoError(
                .invalidOption, at: fieldStart ?? location,
                "ctype option is not allowed under edition 2024 and beyond. Use the feature string_type = VIEW|CORD|STRING|... instead."
            )
        }
    }

    /// The edition's name as `edition` statements spell it (`2023`).
    package static func editionName(_ edition: Google_Protobuf_Edition) -> String {
        ProtoParser.editions.first { $0.value == edition }?.key ?? String(edition.rawValue)
    }

    private static func entityName(_ kind: OptionKind) -> String {
        switch kind {
        case .file: return "file"
        case .message: return "message"
        case .field: return "field"
        case .oneof: return "oneof"
        case .enum: return "enum"
        case .enumValue: return "enum entry"
        case .service: return "service"
        case .method: return "method"
        case .extensionRange: return "extension range"
        }
    }

    // MARK: Naming style (edition 2024's `enforce_naming_style = STYLE2024`)

    /// The naming styles of STYLE2024.
    enum NameStyle {
        /// Messages, enums, services and methods: a capital letter first, no underscore.
        case titleCase
        /// Fields, oneofs and package components: no capital letter, a lowercase letter first, underscores only
        /// between words (not doubled, not last, not before a digit).
        case lowerSnakeCase
        /// Enum values: as ``lowerSnakeCase``, in capitals.
        case upperSnakeCase
    }

    /// What is wrong with `name` in `style`, in protoc's words (`should be TitleCase`); `nil` when nothing is.
    static func styleViolation(_ name: String, _ style: NameStyle) -> String? {
        let bytes = Array(name.utf8)
        switch style {
        case .titleCase:
            if bytes.contains(UInt8(ascii: "_")) { return "should be TitleCase" }
            if let first = bytes.first, !isUpper(first) { return "should begin with a capital letter" }
            return nil
        case .lowerSnakeCase:
            if bytes.contains(where: isUpper) { return "should be lower_snake_case" }
            if let first = bytes.first, !isLower(first) { return "should begin with a lower case letter" }
        case .upperSnakeCase:
            if bytes.contains(where: isLower) { return "should be UPPER_SNAKE_CASE" }
            if let first = bytes.first, !isUpper(first) { return "should begin with an upper case letter" }
        }
        let underscore = UInt8(ascii: "_")
        for (index, byte) in bytes.enumerated() where byte == underscore {
            let following = index + 1 < bytes.count ? bytes[index + 1] : nil
            if following == nil || following == underscore || following.map(isDigit) == true {
                return "contains style violating underscores"
            }
        }
        return nil
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
