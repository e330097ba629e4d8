import Foundation
import SwiftProtobuf

/// The language features of one element of a schema, resolved: the `features` an editions file sets on the element
/// and on every element enclosing it, over its edition's defaults. proto2 and proto3 files resolve too, to what
/// their syntax means in the same terms (protobuf.dev, "Feature Settings for Editions"), so that every rule that
/// depends on presence, packing, enum openness or UTF-8 checks asks one question whatever the file's syntax.
package struct ResolvedFeatures: Sendable, Equatable {
    package var fieldPresence: Google_Protobuf_FeatureSet.FieldPresence
    package var enumType: Google_Protobuf_FeatureSet.EnumType
    package var repeatedFieldEncoding: Google_Protobuf_FeatureSet.RepeatedFieldEncoding
    package var utf8Validation: Google_Protobuf_FeatureSet.Utf8Validation
    package var messageEncoding: Google_Protobuf_FeatureSet.MessageEncoding
    package var jsonFormat: Google_Protobuf_FeatureSet.JsonFormat
    package var enforceNamingStyle: Google_Protobuf_FeatureSet.EnforceNamingStyle
    /// `(pb.cpp).string_type` (cpp_features.proto: VIEW 1, CORD 2, STRING 3): an editions file's default, or what an
    /// enclosing element sets; `nil` in proto2 and proto3 files, which have the `ctype` option instead.
    package var cppStringType: Int? = nil
    /// `(pb.java).utf8_validation` (java_features.proto: DEFAULT 1, VERIFY 2) where some enclosing element sets it.
    package var javaUTF8Validation: Int? = nil

    /// The features of a file's top level: its syntax's or edition's defaults, with the file's own `features` set
    /// over them.
    package init(file: Google_Protobuf_FileDescriptorProto) {
        switch file.syntax {
        case "proto3":
            self.init(
                fieldPresence: .implicit, enumType: .open, repeatedFieldEncoding: .packed, utf8Validation: .verify,
                messageEncoding: .lengthPrefixed, jsonFormat: .allow, enforceNamingStyle: .styleLegacy)
        case "editions":
            // Editions 2023 and 2024 share these defaults; 2024 adds naming style checks.
            self.init(
                fieldPresence: .explicit, enumType: .open, repeatedFieldEncoding: .packed, utf8Validation: .verify,
                messageEncoding: .lengthPrefixed, jsonFormat: .allow,
                enforceNamingStyle: file.edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue
                    ? .style2024 : .styleLegacy)
            // cpp_features.proto's edition defaults: STRING until 2024, VIEW from it.
            cppStringType = file.edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue ? 1 : 3
        default:
            self.init(
                fieldPresence: .explicit, enumType: .closed, repeatedFieldEncoding: .expanded, utf8Validation: .none,
                messageEncoding: .lengthPrefixed, jsonFormat: .legacyBestEffort, enforceNamingStyle: .styleLegacy)
        }
        self = merging(file.options.features)
    }

    private init(
        fieldPresence: Google_Protobuf_FeatureSet.FieldPresence, enumType: Google_Protobuf_FeatureSet.EnumType,
        repeatedFieldEncoding: Google_Protobuf_FeatureSet.RepeatedFieldEncoding,
        utf8Validation: Google_Protobuf_FeatureSet.Utf8Validation,
        messageEncoding: Google_Protobuf_FeatureSet.MessageEncoding, jsonFormat: Google_Protobuf_FeatureSet.JsonFormat,
        enforceNamingStyle: Google_Protobuf_FeatureSet.EnforceNamingStyle
    ) {
        self.fieldPresence = fieldPresence
        self.enumType = enumType
        self.repeatedFieldEncoding = repeatedFieldEncoding
        self.utf8Validation = utf8Validation
        self.messageEncoding = messageEncoding
        self.jsonFormat = jsonFormat
        self.enforceNamingStyle = enforceNamingStyle
    }

    /// These features with the ones `set` declares over them (an element's own `features` over its parent's).
    package func merging(_ set: Google_Protobuf_FeatureSet) -> ResolvedFeatures {
        var merged = self
        if set.hasFieldPresence { merged.fieldPresence = set.fieldPresence }
        if set.hasEnumType { merged.enumType = set.enumType }
        if set.hasRepeatedFieldEncoding { merged.repeatedFieldEncoding = set.repeatedFieldEncoding }
        if set.hasUtf8Validation { merged.utf8Validation = set.utf8Validation }
        if set.hasMessageEncoding { merged.messageEncoding = set.messageEncoding }
        if set.hasJsonFormat { merged.jsonFormat = set.jsonFormat }
        if set.hasEnforceNamingStyle { merged.enforceNamingStyle = set.enforceNamingStyle }
        if !set.unknownFields.data.isEmpty {
            // Language features are extensions of FeatureSet (pb.cpp = 1000, pb.java = 1001), kept as unknown fields.
            if let value = Self.languageFeature(in: set.unknownFields.data, extension: 1000, field: 2) {
                merged.cppStringType = value
            }
            if let value = Self.languageFeature(in: set.unknownFields.data, extension: 1001, field: 2) {
                merged.javaUTF8Validation = value
            }
        }
        return merged
    }

    /// The last varint numbered `field` inside the last occurrences of extension `number` in `bytes`; `nil` when
    /// none is set (or the bytes do not parse).
    private static func languageFeature(in bytes: Data, extension number: Int32, field: Int32) -> Int? {
        let raw = [UInt8](bytes)
        return raw.withUnsafeBytes { buffer -> Int? in
            var reader = WireReader(buffer)
            var found: Int? = nil
            do {
                while let (fieldNumber, wireType) = try reader.nextTag() {
                    guard fieldNumber == number, wireType == .lengthDelimited else {
                        try reader.skipField(wireType: wireType, fieldNumber: fieldNumber, maxDepth: 8)
                        continue
                    }
                    var inner = reader.subReader(try reader.readLengthDelimited())
                    while let (innerNumber, innerType) = try inner.nextTag() {
                        if innerNumber == field && innerType == .varint {
                            found = Int(truncatingIfNeeded: try inner.readVarint())
                        } else {
                            try inner.skipField(wireType: innerType, fieldNumber: innerNumber, maxDepth: 8)
                        }
                    }
                }
            } catch {
                return found
            }
            return found
        }
    }

    /// The features of a message declared within an element with these features.
    package func message(_ message: Google_Protobuf_DescriptorProto) -> ResolvedFeatures {
        merging(message.options.features)
    }

    /// The features of an enum declared within an element with these features.
    package func enumType(_ enumType: Google_Protobuf_EnumDescriptorProto) -> ResolvedFeatures {
        merging(enumType.options.features)
    }

    /// The features of `field`, declared in `message` (whose features these are), through its oneof when it has
    /// one; `message` is `nil` for an extension declared at a file's top level.
    package func field(_ field: Google_Protobuf_FieldDescriptorProto, in message: Google_Protobuf_DescriptorProto?)
        -> ResolvedFeatures
    {
        var parent = self
        if let message, field.hasOneofIndex, message.oneofDecl.indices.contains(Int(field.oneofIndex)) {
            parent = merging(message.oneofDecl[Int(field.oneofIndex)].options.features)
        }
        return parent.merging(field.options.features)
    }

    // MARK: What a field's features mean

    /// Whether a field with these features tracks presence: singular message fields, oneof members, extensions and
    /// proto3 `optional` fields always do; other singular fields unless their presence is implicit.
    package func hasPresence(_ field: Google_Protobuf_FieldDescriptorProto, isExtension: Bool) -> Bool {
        if field.label == .repeated { return false }
        if field.type == .message || field.type == .group || field.hasOneofIndex || isExtension
            || field.proto3Optional
        {
            return true
        }
        return fieldPresence != .implicit
    }

    /// Whether a field with these features must be set (proto2 `required`, editions' `LEGACY_REQUIRED`).
    package func isRequired(_ field: Google_Protobuf_FieldDescriptorProto) -> Bool {
        field.label == .required || (field.label != .repeated && fieldPresence == .legacyRequired)
    }

    /// Whether a repeated field of type `type` with these features is written packed: proto2's `packed` option when
    /// set, else the repeated field encoding.
    package func isPacked(_ field: Google_Protobuf_FieldDescriptorProto, isPackable: Bool) -> Bool {
        guard field.label == .repeated, isPackable else { return false }
        if field.options.hasPacked { return field.options.packed }
        return repeatedFieldEncoding == .packed
    }

    /// Whether a string field with these features is checked to be UTF-8 when decoded.
    package var validatesUTF8: Bool { utf8Validation == .verify }

    /// Whether a message field with these features is written as a group (start and end tags) rather than
    /// length-prefixed; a map field never is.
    package func isDelimited(_ field: Google_Protobuf_FieldDescriptorProto, isMap: Bool) -> Bool {
        field.type == .group || (field.type == .message && !isMap && messageEncoding == .delimited)
    }
}
