/// A compatibility rule: a stable id (buf's where buf has the rule) and its severity under each policy.
///
/// Directions: during a rollout both versions read what the other writes, so every rule considers v1 readers of v2
/// data *and* v2 readers of v1 data. Fields are matched by number, enum values by number, nested types through the
/// fields that use them.
///
/// | Rule | wire | wire_json | strict |
/// |---|---|---|---|
/// | FIELD_NO_DELETE | off | off | error |
/// | FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED | error | error | error |
/// | FIELD_NO_DELETE_UNLESS_NAME_RESERVED | off | error | error |
/// | FIELD_SAME_TYPE | off | off | error |
/// | FIELD_WIRE_COMPATIBLE_TYPE | error | error | error |
/// | FIELD_WIRE_JSON_COMPATIBLE_TYPE | warning | error | error |
/// | FIELD_SAME_CARDINALITY | off | off | error |
/// | FIELD_WIRE_COMPATIBLE_CARDINALITY | error | error | error |
/// | FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY | warning | error | error |
/// | FIELD_SAME_ONEOF | error | error | error |
/// | FIELD_MOVED_INTO_NEW_ONEOF | off | off | error |
/// | FIELD_SAME_JSON_NAME | off | error | error |
/// | FIELD_SAME_NAME | off | error | error |
/// | FIELD_SAME_DEFAULT | error | error | error |
/// | FIELD_SAME_PRESENCE | off | warning | error |
/// | FIELD_NUMBER_REUSED | error | error | error |
/// | MESSAGE_NO_DELETE | off | off | error |
/// | MESSAGE_SAME_REQUIRED_FIELDS | error | error | error |
/// | ENUM_NO_DELETE | off | off | error |
/// | ENUM_VALUE_NO_DELETE | off | off | error |
/// | ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED | error | error | error |
/// | ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED | off | error | error |
/// | ENUM_VALUE_SAME_NAME | off | error | error |
/// | RESERVED_MESSAGE_NO_DELETE | error | error | error |
/// | RESERVED_ENUM_NO_DELETE | error | error | error |
/// | RESERVED_REUSED | error | error | error |
/// | ONEOF_NO_DELETE | off | off | error |
/// | FILE_NO_DELETE | off | off | error |
/// | FILE_SAME_PACKAGE | off | off | error |
/// | SERVICE_NO_DELETE | off | off | error |
/// | RPC_NO_DELETE | off | off | error |
/// | RPC_SAME_REQUEST_TYPE | error | error | error |
/// | RPC_SAME_RESPONSE_TYPE | error | error | error |
/// | RPC_SAME_CLIENT_STREAMING | error | error | error |
/// | RPC_SAME_SERVER_STREAMING | error | error | error |
/// | RPC_SAME_IDEMPOTENCY_LEVEL | error | error | error |
///
/// The FILE_, SERVICE_ and RPC_ rules apply to whole-schema checks (``CompatibilityRoots/wholeSchema``), which also
/// compare every message and enum whether a field reaches it or not. A field switched to another named message or
/// enum type (not the same type under a renamed package) is FIELD_WIRE_COMPATIBLE_TYPE, as in buf, and the two
/// types are not compared member by member.
///
/// Where protobuf.dev ("Updating A Message Type") and buf disagree, Tandem follows protobuf.dev for `wire` and buf
/// for `wire_json`: the conversions protobuf.dev calls wire-compatible *under a condition* (enum <-> int32, uint32,
/// int64, uint64; message <-> bytes; string <-> bytes; integer width and sign changes; singular <-> repeated for
/// strings, bytes, messages and unpacked scalars) carry the data when the condition holds, but the schema cannot show
/// that it does, so they are warnings under `wire` and errors under `wire_json` (their JSON forms differ: names vs
/// numbers, base64 vs objects, arrays vs scalars) and `strict`. buf puts them in `FIELD_WIRE_COMPATIBLE_TYPE`
/// (errors) except string -> bytes.
///
/// Tandem's own rules: FIELD_NUMBER_REUSED (one number, another name and a wire-incompatible type: old data decoded
/// as something else), RESERVED_REUSED (a number or name v1 reserved is back in use), FIELD_SAME_PRESENCE (explicit
/// presence gained or lost), FIELD_MOVED_INTO_NEW_ONEOF (the one oneof move protobuf.dev calls safe: a single field
/// into a oneof that is new in v2).
public struct CompatibilityRule: Sendable, Hashable, CustomStringConvertible {
    /// The stable id (`FIELD_WIRE_COMPATIBLE_TYPE`).
    public let id: String
    /// Severity under `wire`.
    public let wire: CompatibilitySeverity
    /// Severity under `wire_json`.
    public let wireJSON: CompatibilitySeverity
    /// Severity under `strict`.
    public let strict: CompatibilitySeverity
    /// One line saying what the rule checks.
    public let summary: String
    /// The buf breaking categories (`WIRE`, `WIRE_JSON`, `FILE`) that hold this rule: under a `buf_*` policy it is an
    /// error when the policy's category holds it, and off otherwise. `nil` for a rule that is not a schema rule
    /// (a plan's): under a `buf_*` policy it keeps its severity under the nearest Tandem policy.
    public let bufCategories: Set<String>?

    /// Creates a rule; plan checks in other modules define their own.
    public init(
        id: String, wire: CompatibilitySeverity, wireJSON: CompatibilitySeverity, strict: CompatibilitySeverity,
        summary: String, bufCategories: Set<String>? = nil
    ) {
        self.id = id
        self.wire = wire
        self.wireJSON = wireJSON
        self.strict = strict
        self.summary = summary
        self.bufCategories = bufCategories
    }

    /// The rule's severity under `policy`.
    public func severity(under policy: CompatibilityPolicy) -> CompatibilitySeverity {
        if let category = policy.bufCategory, let bufCategories {
            return bufCategories.contains(category) ? .error : .off
        }
        switch policy.nearestTandemPolicy {
        case .wire: return wire
        case .wireJSON: return wireJSON
        default: return strict
        }
    }

    /// The id.
    public var description: String { id }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension CompatibilityRule {
    private static func rule(
        _ id: String, _ wire: CompatibilitySeverity, _ wireJSON: CompatibilitySeverity, _ strict: CompatibilitySeverity,
        _ summary: String
    ) -> CompatibilityRule {
        CompatibilityRule(
            id: id, wire: wire, wireJSON: wireJSON, strict: strict, summary: summary,
            bufCategories: bufCategoryTable[id] ?? [])
    }

    /// Which of buf's breaking categories hold each rule (`buf config ls-breaking-rules`, buf 1.75.0); a rule of
    /// Tandem's own is in none, so it is off under the `buf_*` policies.
    private static let bufCategoryTable: [String: Set<String>] = [
        "FIELD_NO_DELETE": ["FILE"],
        "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED": ["WIRE", "WIRE_JSON"],
        "FIELD_NO_DELETE_UNLESS_NAME_RESERVED": ["WIRE_JSON"],
        "FIELD_SAME_TYPE": ["FILE"],
        "FIELD_WIRE_COMPATIBLE_TYPE": ["WIRE"],
        "FIELD_WIRE_JSON_COMPATIBLE_TYPE": ["WIRE_JSON"],
        "FIELD_SAME_CARDINALITY": ["FILE"],
        "FIELD_WIRE_COMPATIBLE_CARDINALITY": ["WIRE"],
        "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY": ["WIRE_JSON"],
        "FIELD_SAME_ONEOF": ["WIRE", "WIRE_JSON", "FILE"],
        "FIELD_SAME_JSON_NAME": ["WIRE_JSON", "FILE"],
        "FIELD_SAME_NAME": ["WIRE_JSON", "FILE"],
        "MESSAGE_NO_DELETE": ["FILE"],
        "MESSAGE_SAME_REQUIRED_FIELDS": ["WIRE", "WIRE_JSON", "FILE"],
        "ENUM_NO_DELETE": ["FILE"],
        "ENUM_VALUE_NO_DELETE": ["FILE"],
        "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED": ["WIRE", "WIRE_JSON"],
        "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED": ["WIRE_JSON"],
        "ENUM_VALUE_SAME_NAME": ["WIRE_JSON", "FILE"],
        "RESERVED_MESSAGE_NO_DELETE": ["WIRE", "WIRE_JSON", "FILE"],
        "RESERVED_ENUM_NO_DELETE": ["WIRE", "WIRE_JSON", "FILE"],
        "ONEOF_NO_DELETE": ["FILE"],
        "FILE_NO_DELETE": ["FILE"],
        "FILE_SAME_PACKAGE": ["WIRE", "WIRE_JSON", "FILE"],
        "SERVICE_NO_DELETE": ["FILE"],
        "RPC_NO_DELETE": ["FILE"],
        "RPC_SAME_REQUEST_TYPE": ["WIRE", "WIRE_JSON", "FILE"],
        "RPC_SAME_RESPONSE_TYPE": ["WIRE", "WIRE_JSON", "FILE"],
        "RPC_SAME_CLIENT_STREAMING": ["WIRE", "WIRE_JSON", "FILE"],
        "RPC_SAME_SERVER_STREAMING": ["WIRE", "WIRE_JSON", "FILE"],
        "RPC_SAME_IDEMPOTENCY_LEVEL": ["WIRE", "WIRE_JSON", "FILE"],
        "FILE_SAME_SYNTAX": ["FILE"],
        "ENUM_SAME_TYPE": ["FILE"],
        "EXTENSION_MESSAGE_NO_DELETE": ["FILE"],
        "FIELD_SAME_CPP_STRING_TYPE": ["FILE"],
        "FIELD_SAME_JAVA_UTF8_VALIDATION": ["FILE"],
        "FIELD_SAME_JSTYPE": ["FILE"],
        "FIELD_SAME_UTF8_VALIDATION": ["FILE"],
        "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR": ["FILE"],
        "MESSAGE_SAME_JSON_FORMAT": ["WIRE_JSON", "FILE"],
        "ENUM_SAME_JSON_FORMAT": ["WIRE_JSON", "FILE"],
    ].merging(FileOptionRule.all.map { ($0.id, ["FILE"]) }, uniquingKeysWith: { a, _ in a })

    /// A v1 field number no longer exists in v2.
    public static let fieldNoDelete = rule(
        "FIELD_NO_DELETE", .off, .off, .error, "fields are not deleted")
    /// A v1 field was deleted without reserving its number.
    public static let fieldNoDeleteUnlessNumberReserved = rule(
        "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", .error, .error, .error,
        "a deleted field's number is reserved")
    /// A v1 field was deleted without reserving its name.
    public static let fieldNoDeleteUnlessNameReserved = rule(
        "FIELD_NO_DELETE_UNLESS_NAME_RESERVED", .off, .error, .error, "a deleted field's name is reserved")
    /// The declared type changed at all (`int32` -> `int64`, another message type).
    public static let fieldSameType = rule(
        "FIELD_SAME_TYPE", .off, .off, .error, "fields keep their declared type")
    /// The type changed so that one side cannot decode what the other writes.
    public static let fieldWireCompatibleType = rule(
        "FIELD_WIRE_COMPATIBLE_TYPE", .error, .error, .error, "field types stay wire-compatible")
    /// The type changed compatibly on the wire only under a condition, or incompatibly in proto3 JSON.
    public static let fieldWireJSONCompatibleType = rule(
        "FIELD_WIRE_JSON_COMPATIBLE_TYPE", .warning, .error, .error,
        "field types stay wire- and JSON-compatible")
    /// The label changed at all (optional, required, repeated, map).
    public static let fieldSameCardinality = rule(
        "FIELD_SAME_CARDINALITY", .off, .off, .error, "fields keep their cardinality")
    /// The label changed so that data is lost or rejected on the wire.
    public static let fieldWireCompatibleCardinality = rule(
        "FIELD_WIRE_COMPATIBLE_CARDINALITY", .error, .error, .error, "field cardinality stays wire-compatible")
    /// The label changed compatibly on the wire only with loss (last one wins), or incompatibly in JSON.
    public static let fieldWireJSONCompatibleCardinality = rule(
        "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", .warning, .error, .error,
        "field cardinality stays wire- and JSON-compatible")
    /// The field moved into, out of or between oneofs in a way that loses data.
    public static let fieldSameOneof = rule(
        "FIELD_SAME_ONEOF", .error, .error, .error, "fields stay in the same oneof")
    /// A single v1 field moved into a oneof that is new in v2 (wire-safe per protobuf.dev).
    public static let fieldMovedIntoNewOneof = rule(
        "FIELD_MOVED_INTO_NEW_ONEOF", .off, .off, .error, "fields are not moved into a new oneof")
    /// The proto3 JSON name changed.
    public static let fieldSameJSONName = rule(
        "FIELD_SAME_JSON_NAME", .off, .error, .error, "fields keep their JSON name")
    /// The field name changed.
    public static let fieldSameName = rule(
        "FIELD_SAME_NAME", .off, .error, .error, "fields keep their name")
    /// The proto2 default value changed.
    public static let fieldSameDefault = rule(
        "FIELD_SAME_DEFAULT", .error, .error, .error, "fields keep the value they read as when unset")
    /// Explicit presence was gained or lost.
    public static let fieldSamePresence = rule(
        "FIELD_SAME_PRESENCE", .off, .warning, .error, "fields keep their presence discipline")
    /// A field number now names another field of an incompatible type.
    public static let fieldNumberReused = rule(
        "FIELD_NUMBER_REUSED", .error, .error, .error, "field numbers are not reused for other fields")
    /// A message of v1 is gone in v2 (nested in a compared message; in whole-schema checks, any).
    public static let messageNoDelete = rule(
        "MESSAGE_NO_DELETE", .off, .off, .error, "messages are not deleted")
    /// The set of required fields changed.
    public static let messageSameRequiredFields = rule(
        "MESSAGE_SAME_REQUIRED_FIELDS", .error, .error, .error, "messages keep the same required fields")
    /// An enum of v1 is gone in v2 (nested in a compared message; in whole-schema checks, any).
    public static let enumNoDelete = rule(
        "ENUM_NO_DELETE", .off, .off, .error, "enums are not deleted")
    /// A v1 enum value number is gone in v2.
    public static let enumValueNoDelete = rule(
        "ENUM_VALUE_NO_DELETE", .off, .off, .error, "enum values are not deleted")
    /// A v1 enum value was deleted without reserving its number.
    public static let enumValueNoDeleteUnlessNumberReserved = rule(
        "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", .error, .error, .error,
        "a deleted enum value's number is reserved")
    /// A v1 enum value was deleted without reserving its name.
    public static let enumValueNoDeleteUnlessNameReserved = rule(
        "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", .off, .error, .error,
        "a deleted enum value's name is reserved")
    /// An enum value number is named differently in v2.
    public static let enumValueSameName = rule(
        "ENUM_VALUE_SAME_NAME", .off, .error, .error, "enum values keep their name")
    /// A reserved range or name of a v1 message is no longer reserved in v2.
    public static let reservedMessageNoDelete = rule(
        "RESERVED_MESSAGE_NO_DELETE", .error, .error, .error, "message reservations are kept")
    /// A reserved range or name of a v1 enum is no longer reserved in v2.
    public static let reservedEnumNoDelete = rule(
        "RESERVED_ENUM_NO_DELETE", .error, .error, .error, "enum reservations are kept")
    /// A number or name v1 reserved is used again in v2.
    public static let reservedReused = rule(
        "RESERVED_REUSED", .error, .error, .error, "reserved numbers and names are not used again")
    /// A oneof of a compared v1 message is gone in v2.
    public static let oneofNoDelete = rule(
        "ONEOF_NO_DELETE", .off, .off, .error, "oneofs are not deleted")

    /// A requested v1 file is not among the v2 files (whole-schema checks; a type that moved is found by name).
    public static let fileNoDelete = rule(
        "FILE_NO_DELETE", .off, .off, .error, "files are not deleted")
    /// A file's package changed (whole-schema checks): gRPC method paths and `Any` type URLs change with it.
    public static let fileSamePackage = rule(
        "FILE_SAME_PACKAGE", .off, .off, .error, "files keep their package")
    /// A v1 service is gone in v2 (whole-schema checks).
    public static let serviceNoDelete = rule(
        "SERVICE_NO_DELETE", .off, .off, .error, "services are not deleted")
    /// A method of a v1 service is gone in v2.
    public static let rpcNoDelete = rule(
        "RPC_NO_DELETE", .off, .off, .error, "methods are not deleted")
    /// A method's request type changed.
    public static let rpcSameRequestType = rule(
        "RPC_SAME_REQUEST_TYPE", .error, .error, .error, "methods keep their request type")
    /// A method's response type changed.
    public static let rpcSameResponseType = rule(
        "RPC_SAME_RESPONSE_TYPE", .error, .error, .error, "methods keep their response type")
    /// A method became client-streaming or stopped being so.
    public static let rpcSameClientStreaming = rule(
        "RPC_SAME_CLIENT_STREAMING", .error, .error, .error, "methods keep client streaming")
    /// A method became server-streaming or stopped being so.
    public static let rpcSameServerStreaming = rule(
        "RPC_SAME_SERVER_STREAMING", .error, .error, .error, "methods keep server streaming")
    /// A method's `idempotency_level` option changed.
    public static let rpcSameIdempotencyLevel = rule(
        "RPC_SAME_IDEMPOTENCY_LEVEL", .error, .error, .error, "methods keep their idempotency level")

    /// buf's `FILE` category only (off under Tandem's policies, which leave generated-code details to `buf_file`): a
    /// file's syntax changed.
    public static let fileSameSyntax = rule("FILE_SAME_SYNTAX", .off, .off, .off, "files keep their syntax")
    /// buf_file: a file option that shapes generated code changed (its value or default).
    public static let fileSameOption: [CompatibilityRule] = FileOptionRule.all.map {
        rule($0.id, .off, .off, .off, "files keep the \($0.option) option")
    }
    /// buf_file: an enum changed between open and closed.
    public static let enumSameType = rule("ENUM_SAME_TYPE", .off, .off, .off, "enums stay open or closed")
    /// buf_file: a message's extension ranges no longer cover a number they covered.
    public static let extensionMessageNoDelete = rule(
        "EXTENSION_MESSAGE_NO_DELETE", .off, .off, .off, "extension ranges are not deleted")
    /// buf_file: a string or bytes field's `ctype` changed.
    public static let fieldSameCppStringType = rule(
        "FIELD_SAME_CPP_STRING_TYPE", .off, .off, .off, "fields keep their C++ string type")
    /// buf_file: a string field's Java UTF-8 check changed (`java_string_check_utf8`, or proto3).
    public static let fieldSameJavaUTF8Validation = rule(
        "FIELD_SAME_JAVA_UTF8_VALIDATION", .off, .off, .off, "string fields keep their Java UTF-8 check")
    /// buf_file: a field's `jstype` changed.
    public static let fieldSameJSType = rule("FIELD_SAME_JSTYPE", .off, .off, .off, "fields keep their jstype")
    /// buf_file: a string field's UTF-8 validation changed (proto2 strings are not validated, proto3 strings are).
    public static let fieldSameUTF8Validation = rule(
        "FIELD_SAME_UTF8_VALIDATION", .off, .off, .off, "string fields keep their UTF-8 validation")
    /// buf_file: a message turned `no_standard_descriptor_accessor` on.
    public static let messageNoRemoveStandardDescriptorAccessor = rule(
        "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR", .off, .off, .off,
        "messages keep their standard descriptor accessor")

    /// buf_wire_json and buf_file: a message's JSON format support fell from ALLOW (proto3) to LEGACY_BEST_EFFORT
    /// (proto2).
    public static let messageSameJSONFormat = rule(
        "MESSAGE_SAME_JSON_FORMAT", .off, .off, .off, "messages keep their JSON format support")
    /// buf_wire_json and buf_file: an enum's JSON format support fell from ALLOW to LEGACY_BEST_EFFORT.
    public static let enumSameJSONFormat = rule(
        "ENUM_SAME_JSON_FORMAT", .off, .off, .off, "enums keep their JSON format support")

    /// Every schema rule, in table order.
    public static let all: [CompatibilityRule] =
        [
            fieldNoDelete, fieldNoDeleteUnlessNumberReserved, fieldNoDeleteUnlessNameReserved, fieldSameType,
            fieldWireCompatibleType, fieldWireJSONCompatibleType, fieldSameCardinality, fieldWireCompatibleCardinality,
            fieldWireJSONCompatibleCardinality, fieldSameOneof, fieldMovedIntoNewOneof, fieldSameJSONName,
            fieldSameName,
            fieldSameDefault, fieldSamePresence, fieldNumberReused, messageNoDelete, messageSameRequiredFields,
            enumNoDelete, enumValueNoDelete, enumValueNoDeleteUnlessNumberReserved, enumValueNoDeleteUnlessNameReserved,
            enumValueSameName, reservedMessageNoDelete, reservedEnumNoDelete, reservedReused, oneofNoDelete,
            fileNoDelete, fileSamePackage, serviceNoDelete, rpcNoDelete, rpcSameRequestType, rpcSameResponseType,
            rpcSameClientStreaming, rpcSameServerStreaming, rpcSameIdempotencyLevel, fileSameSyntax, enumSameType,
            extensionMessageNoDelete, fieldSameCppStringType, fieldSameJavaUTF8Validation, fieldSameJSType,
            fieldSameUTF8Validation, messageNoRemoveStandardDescriptorAccessor, messageSameJSONFormat,
            enumSameJSONFormat,
        ] + fileSameOption
}
