/// How messages are read from and written to proto3 JSON (protobuf.dev, "ProtoJSON Format").
public struct ProtoJSONOptions: Sendable, Hashable {
    /// Reading: skip members that name no field of the message, and enum names the enum does not declare (the field,
    /// element or map entry is then left out), instead of failing with ``ProtoJSONError/Code/unknownField`` or
    /// ``ProtoJSONError/Code/unknownEnumValue``.
    public var ignoreUnknownFields: Bool
    /// Writing: name fields by their `.proto` names (`created_at`) instead of their JSON names (`createdAt`).
    public var useProtoFieldNames: Bool
    /// Writing: also write fields without presence that hold their default value (implicit-presence proto3 scalars
    /// as `0`, `""`, `false`, the first enum value; repeated fields as `[]`; maps as `{}`). Fields with presence
    /// (messages, `optional`, oneof members, proto2 fields) are written only when set, in either case.
    public var alwaysPrintFieldsWithNoPresence: Bool
    /// Writing: enums as their numbers instead of their names.
    public var alwaysPrintEnumsAsInts: Bool
    /// Writing: indented, one member a line.
    public var pretty: Bool
    /// Writing: spaces per nesting level when ``pretty`` is set.
    public var indent: Int
    /// Reading: the deepest nesting of arrays and objects accepted (at most 1,000).
    public var maxDepth: Int

    /// Creates options; the defaults follow the ProtoJSON specification's defaults and write compact JSON.
    public init(
        ignoreUnknownFields: Bool = false,
        useProtoFieldNames: Bool = false,
        alwaysPrintFieldsWithNoPresence: Bool = false,
        alwaysPrintEnumsAsInts: Bool = false,
        pretty: Bool = false,
        indent: Int = 2,
        maxDepth: Int = JSONValue.defaultMaxDepth
    ) {
        self.ignoreUnknownFields = ignoreUnknownFields
        self.useProtoFieldNames = useProtoFieldNames
        self.alwaysPrintFieldsWithNoPresence = alwaysPrintFieldsWithNoPresence
        self.alwaysPrintEnumsAsInts = alwaysPrintEnumsAsInts
        self.pretty = pretty
        self.indent = indent
        self.maxDepth = maxDepth
    }

    var writing: JSONWritingOptions { JSONWritingOptions(pretty: pretty, indent: indent) }
}
