import SwiftProtobuf

/// A resolved field of a message: its number, type, cardinality and presence discipline.
public struct FieldDescriptor: Sendable {
    /// How many values a field holds.
    public enum Cardinality: Sendable, Hashable {
        /// At most one value (proto2 `optional`, proto3 singular fields).
        case optional
        /// Exactly one value in proto2 (`required`).
        case required
        /// Any number of values, maps included.
        case repeated
    }

    /// The field's name as declared (`display_name`).
    public let name: String
    /// The field number.
    public let number: Int32
    /// The proto3 JSON name (explicit `json_name`, or the lowerCamelCase of `name`).
    public let jsonName: String
    /// The declared type.
    public let type: FieldType
    /// The cardinality.
    public let cardinality: Cardinality
    /// Whether the field tracks presence explicitly (proto2 singular, proto3 `optional`, message fields, oneof members).
    public let hasPresence: Bool
    /// Whether repeated values are written packed by default (proto3 numeric, or `[packed = true]`).
    public let isPacked: Bool
    /// Index into the containing message's ``MessageDescriptor/oneofs``, when the field is a oneof member
    /// (synthetic oneofs of proto3 `optional` fields included).
    public let oneofIndex: Int?
    /// Whether the field is a proto3 `optional` field (a member of a synthetic oneof).
    public let isProto3Optional: Bool
    /// The full name of the message or enum type, without a leading dot, for message, group and enum fields.
    public let typeName: String?
    /// The declared default value in `.proto` text form (proto2 only), as `FieldDescriptorProto.default_value`.
    public let defaultValueText: String?
    /// Whether this is a map field (repeated of a synthesised `*Entry` message).
    public let isMap: Bool
    /// Whether proto3 UTF-8 validation applies to this string field.
    public let validatesUTF8: Bool
    /// Whether this is an extension.
    public let isExtension: Bool

    /// Index of the message type in the owning ``Schema`` (message and group fields).
    public let messageIndex: Int?
    /// Index of the enum type in the owning ``Schema`` (enum fields).
    public let enumIndex: Int?

    /// This field under another name, its JSON name the same (an extension as a field of the message it extends:
    /// `[acme.note]`).
    package func renamed(_ newName: String) -> FieldDescriptor {
        FieldDescriptor(
            name: newName, number: number, jsonName: newName, type: type, cardinality: cardinality,
            hasPresence: hasPresence, isPacked: isPacked, oneofIndex: oneofIndex, isProto3Optional: isProto3Optional,
            typeName: typeName, defaultValueText: defaultValueText, isMap: isMap, validatesUTF8: validatesUTF8,
            isExtension: isExtension, messageIndex: messageIndex, enumIndex: enumIndex)
    }

    /// Whether the field is repeated (maps included).
    @inlinable public var isRepeated: Bool { cardinality == .repeated }

    /// Whether the field is a member of a real (non-synthetic) oneof.
    @inlinable public var isInRealOneof: Bool { oneofIndex != nil && !isProto3Optional }

    /// Creates a field descriptor; ``Schema`` builds these from `FieldDescriptorProto`s.
    package init(
        name: String, number: Int32, jsonName: String, type: FieldType, cardinality: Cardinality,
        hasPresence: Bool, isPacked: Bool, oneofIndex: Int?, isProto3Optional: Bool, typeName: String?,
        defaultValueText: String?, isMap: Bool, validatesUTF8: Bool, isExtension: Bool = false,
        messageIndex: Int?, enumIndex: Int?
    ) {
        self.name = name
        self.number = number
        self.jsonName = jsonName
        self.type = type
        self.cardinality = cardinality
        self.hasPresence = hasPresence
        self.isPacked = isPacked
        self.oneofIndex = oneofIndex
        self.isProto3Optional = isProto3Optional
        self.typeName = typeName
        self.defaultValueText = defaultValueText
        self.isMap = isMap
        self.validatesUTF8 = validatesUTF8
        self.isExtension = isExtension
        self.messageIndex = messageIndex
        self.enumIndex = enumIndex
    }
}
