/// Proto3 JSON (protobuf.dev, "ProtoJSON Format") for single values: the form reports use to show a field's value.
///
/// Whole messages are read and written with ``DynamicMessage/init(json:descriptor:schema:options:)`` and
/// ``DynamicMessage/jsonValue(options:)``.
public enum ProtoJSON {
    /// A value of `field` in its proto3 JSON form.
    ///
    /// For a repeated or map field, `value` is one element (or one map value) and is rendered in its element form.
    /// This never fails: a well-known type whose value has no JSON form (a Timestamp out of range, a Duration whose
    /// seconds and nanos disagree in sign) is rendered as a plain object of its fields, and a NaN or infinite
    /// `google.protobuf.Value` number as the string `"NaN"`, `"Infinity"` or `"-Infinity"`.
    public static func value(
        _ value: ProtoValue, field: FieldDescriptor, schema: Schema, options: ProtoJSONOptions = .init()
    ) -> JSONValue {
        let encoder = ProtoJSONEncoder(options: options, strict: false)
        do throws(ProtoJSONError) {
            return try encoder.element(value, field: field, schema: schema, depth: 0)
        } catch {
            // Not reached in lenient mode; kept so that a future failure renders as text instead of trapping.
            return .string(error.description)
        }
    }

    /// Full names of the well-known types with their own JSON forms.
    enum WellKnown: String {
        case any = "google.protobuf.Any"
        case timestamp = "google.protobuf.Timestamp"
        case duration = "google.protobuf.Duration"
        case fieldMask = "google.protobuf.FieldMask"
        case structType = "google.protobuf.Struct"
        case value = "google.protobuf.Value"
        case listValue = "google.protobuf.ListValue"
        case empty = "google.protobuf.Empty"
        case doubleValue = "google.protobuf.DoubleValue"
        case floatValue = "google.protobuf.FloatValue"
        case int64Value = "google.protobuf.Int64Value"
        case uint64Value = "google.protobuf.UInt64Value"
        case int32Value = "google.protobuf.Int32Value"
        case uint32Value = "google.protobuf.UInt32Value"
        case boolValue = "google.protobuf.BoolValue"
        case stringValue = "google.protobuf.StringValue"
        case bytesValue = "google.protobuf.BytesValue"

        var isWrapper: Bool {
            switch self {
            case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
                .stringValue, .bytesValue:
                return true
            default:
                return false
            }
        }
    }

    static let nullValueEnum = "google.protobuf.NullValue"
}
