import SwiftProtobuf

/// Applies built-in (non-parenthesised) options to the `*Options` messages of descriptor.proto by writing the option
/// as one text-format assignment and decoding it with the options message's own schema, so every built-in option
/// (scalars, enums by name, repeated, nested messages) is checked and encoded exactly as the field declares it.
enum BuiltinOptions {
    /// Built-in options that are repeated fields and so may be given more than once.
    private static let repeatedOptions: Set<String> = ["targets", "edition_defaults", "declaration"]

    static func apply(
        name: [OptionNamePart], value: OptionValue, kind: OptionKind, edition: Google_Protobuf_Edition?,
        at site: EditionRules.OptionSite, valueLocation: SourceLocation, seen: inout Set<String>,
        apply: (_ bytes: [UInt8]) throws -> Void
    ) throws(ProtoError) {
        let location = site.option
        let dotted = name.map(\.name).joined(separator: ".")
        if name.count == 1, seen.contains(dotted), !repeatedOptions.contains(dotted) {
            throw ProtoError(.invalidOption, at: location, "Option \"\(dotted)\" was already set.")
        }
        if dotted == "uninterpreted_option" || dotted == "map_entry" && kind == .message {
            throw ProtoError(
                .invalidOption, at: location,
                "Option \"\(dotted)\" cannot be set by hand: protoc manages it.")
        }
        try EditionRules.checkOption(name: name, kind: kind, edition: edition, at: site)
        seen.insert(dotted)
        let valueText = try textFormat(value, at: valueLocation)
        var text = (name.last?.name ?? "") + ": " + valueText
        if case .aggregate = value { text = (name.last?.name ?? "") + " " + valueText }
        for part in name.dropLast().reversed() { text = part.name + " { " + text + " }" }
        let bytes: [UInt8]
        do {
            bytes = try encode(text, kind: kind)
        } catch let error as TextFormatDecodingError where error == .unknownField {
            throw ProtoError(.invalidOption, at: location, "Option \"\(dotted)\" unknown.")
        } catch {
            throw ProtoError(
                .invalidOption, at: valueLocation,
                "Value of the wrong type for option \"\(dotted)\" of \(optionsName(kind)).")
        }
        // Options declared with `retention = RETENTION_SOURCE` are checked but left out of descriptors, as protoc
        // strips them from its output.
        if kind == .extensionRange && sourceRetained.contains(dotted) { return }
        if name.count == 2 && name[0].name == "features" && EditionRules.sourceRetainedFeatures.contains(name[1].name) {
            // protoc strips the feature and keeps the (empty) feature set it was set in.
            do {
                try apply(try encode("features {}", kind: kind))
            } catch {
                throw ProtoError(.invalidOption, at: location, "Option \"\(dotted)\" could not be applied: \(error)")
            }
            return
        }
        do {
            try apply(bytes)
        } catch {
            throw ProtoError(.invalidOption, at: location, "Option \"\(dotted)\" could not be applied: \(error)")
        }
    }

    /// Built-in options with source retention (descriptor.proto: `declaration`, `verification`).
    private static let sourceRetained: Set<String> = ["declaration", "verification"]

    static func optionsName(_ kind: OptionKind) -> String {
        switch kind {
        case .file: return "google.protobuf.FileOptions"
        case .message: return "google.protobuf.MessageOptions"
        case .field: return "google.protobuf.FieldOptions"
        case .oneof: return "google.protobuf.OneofOptions"
        case .enum: return "google.protobuf.EnumOptions"
        case .enumValue: return "google.protobuf.EnumValueOptions"
        case .service: return "google.protobuf.ServiceOptions"
        case .method: return "google.protobuf.MethodOptions"
        case .extensionRange: return "google.protobuf.ExtensionRangeOptions"
        }
    }

    private static func encode(_ text: String, kind: OptionKind) throws -> [UInt8] {
        switch kind {
        case .file: return try Google_Protobuf_FileOptions(textFormatString: text).serializedBytes()
        case .message: return try Google_Protobuf_MessageOptions(textFormatString: text).serializedBytes()
        case .field: return try Google_Protobuf_FieldOptions(textFormatString: text).serializedBytes()
        case .oneof: return try Google_Protobuf_OneofOptions(textFormatString: text).serializedBytes()
        case .enum: return try Google_Protobuf_EnumOptions(textFormatString: text).serializedBytes()
        case .enumValue: return try Google_Protobuf_EnumValueOptions(textFormatString: text).serializedBytes()
        case .service: return try Google_Protobuf_ServiceOptions(textFormatString: text).serializedBytes()
        case .method: return try Google_Protobuf_MethodOptions(textFormatString: text).serializedBytes()
        case .extensionRange: return try Google_Protobuf_ExtensionRangeOptions(textFormatString: text).serializedBytes()
        }
    }

    /// The value in protobuf text format; integers are normalised to decimal since text format has no octal.
    static func textFormat(_ value: OptionValue, at location: SourceLocation) throws(ProtoError) -> String {
        switch value {
        case .identifier(let name, let negative):
            return (negative ? "-" : "") + name
        case .integer(let text, let negative):
            guard let magnitude = ProtoParser.integerValue(text) else {
                throw ProtoError(.numberOutOfRange, at: location, "Integer out of range.")
            }
            return (negative ? "-" : "") + String(magnitude)
        case .float(let text, let negative):
            return (negative ? "-" : "") + (text.hasPrefix(".") ? "0" + text : text)
        case .string(let bytes):
            return "\"" + DefaultValueFormat.cEscape(bytes) + "\""
        case .aggregate(let text):
            return text
        }
    }
}
