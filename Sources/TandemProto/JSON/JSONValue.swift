/// A JSON value (RFC 8259) that keeps what protobuf needs and a plain decoder would lose.
///
/// Numbers keep their literal text, so a 64-bit integer such as `18446744073709551615` is never rounded through a
/// `Double`; objects keep their members in order, so output is stable and a reader can detect duplicate keys.
/// Equality is structural and literal: `1` and `1.0` are different numbers, and objects compare member by member in
/// order.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its literal text (valid RFC 8259 number syntax, such as `-12`, `0.5` or `1e-7`).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object: its members in order.
    case object([Member])
}

extension JSONValue {
    /// A number holding `value` exactly.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }

    /// A number holding `value` in its shortest round-tripping form; `nil` for NaN and infinities, which JSON cannot
    /// represent as numbers.
    public static func double(_ value: Double) -> JSONValue? {
        guard value.isFinite else { return nil }
        return .number(JSONNumberText.shortest(value))
    }

    /// An object with the given members, in order.
    public static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { Member($0.key, $0.value) })
    }

    /// The value of the first member named `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The element at `index` when this is an array and `index` is in range, else `nil`.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string when this is a string, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean when this is `true` or `false`, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as a `Double` (correctly rounded) when this is a number, else `nil`.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The number as an `Int64` when this is a number written as an integer in range, else `nil`.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The members when this is an object, else `nil`.
    public var objectMembers: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements when this is an array, else `nil`.
    public var arrayElements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// What kind of value this is, as a word for messages (`"null"`, `"a boolean"`, `"a number"`, ...).
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
