/// A schema could not be resolved: a type name that does not resolve, or a malformed descriptor.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A field's type name names no message or enum in the pool.
        public static let unresolvedType = Code(rawValue: "unresolvedType")
        /// The descriptor itself is malformed (bad bytes, indices out of range).
        public static let invalidDescriptor = Code(rawValue: "invalidDescriptor")
    }

    /// What went wrong.
    public let code: Code
    /// The file the problem is in.
    public let file: String
    /// The full name of the element concerned, if known.
    public let element: String?
    /// A human-readable explanation.
    public let detail: String

    /// Creates a schema error.
    public init(_ code: Code, file: String, element: String?, detail: String) {
        self.code = code
        self.file = file
        self.element = element
        self.detail = detail
    }

    public var description: String {
        if let element { return "\(file): \(element): \(detail)" }
        return "\(file): \(detail)"
    }
}
