/// A field of a ``DynamicMessage`` could not be read or written as asked.
public struct DynamicMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong with the request.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The message type declares no field with that number or name.
        public static let unknownField = Code(rawValue: "unknownField")
        /// The value's case does not fit the field's type (for example `.string` for an `int32` field, or a
        /// message of another type).
        public static let typeMismatch = Code(rawValue: "typeMismatch")
        /// A singular-field operation was used on a repeated or map field.
        public static let notSingular = Code(rawValue: "notSingular")
        /// A repeated-field operation was used on a singular or map field.
        public static let notRepeated = Code(rawValue: "notRepeated")
        /// A map operation was used on a field that is not a map.
        public static let notMap = Code(rawValue: "notMap")
    }

    /// What was wrong with the request.
    public let code: Code
    /// The full name of the message type.
    public let messageType: String
    /// The field concerned: its name, or its number when the type declares no such field.
    public let field: String

    /// Creates an error.
    public init(_ code: Code, messageType: String, field: String) {
        self.code = code
        self.messageType = messageType
        self.field = field
    }

    /// The error as one line.
    public var description: String {
        let what: String
        switch code {
        case .unknownField: what = "no such field"
        case .typeMismatch: what = "the value does not fit the field's type"
        case .notSingular: what = "the field is repeated or a map; use the repeated or map accessors"
        case .notRepeated: what = "the field is not a repeated (non-map) field"
        case .notMap: what = "the field is not a map"
        default: what = "the field cannot be accessed this way"
        }
        return "\(code.rawValue): \(messageType).\(field): \(what)"
    }
}
