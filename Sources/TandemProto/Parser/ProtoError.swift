/// A `.proto` file could not be compiled: a syntax error, a semantic error, or an import problem, with the
/// location it is about.
public struct ProtoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The text does not follow the `.proto` grammar (`expected X, found Y`).
        public static let syntax = Code(rawValue: "syntax")
        /// The file uses a part of editions this compiler does not support. Editions 2023 and 2024 compile (their features,
        /// visibility and option imports), so nothing throws it today; it stays for code that matches on it.
        public static let editionsUnsupported = Code(rawValue: "editionsUnsupported")
        /// An imported file was not found in any import root.
        public static let importNotFound = Code(rawValue: "importNotFound")
        /// Files import each other in a cycle.
        public static let importCycle = Code(rawValue: "importCycle")
        /// A name is defined twice in one scope.
        public static let duplicateName = Code(rawValue: "duplicateName")
        /// A field number is used twice in one message.
        public static let duplicateNumber = Code(rawValue: "duplicateNumber")
        /// A number is outside the allowed range, or in protobuf's reserved 19000-19999 range.
        public static let numberOutOfRange = Code(rawValue: "numberOutOfRange")
        /// A reserved number or name is used.
        public static let reservedUsed = Code(rawValue: "reservedUsed")
        /// A type name does not resolve, resolves to the wrong kind, or is ambiguous.
        public static let unresolvedType = Code(rawValue: "unresolvedType")
        /// An option is unknown, set twice, or has a value of the wrong type.
        public static let invalidOption = Code(rawValue: "invalidOption")
        /// A construct is not allowed here (for example `required` in proto3).
        public static let invalidDefinition = Code(rawValue: "invalidDefinition")
        /// A file could not be read.
        public static let io = Code(rawValue: "io")
    }

    /// The kind of problem.
    public let code: Code
    /// Where it is.
    public let location: SourceLocation
    /// What is wrong, in protoc's words where protoc has them.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`, as protoc prints errors.
    public var description: String { "\(location): \(message)" }
}
