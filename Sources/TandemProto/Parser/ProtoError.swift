/// A `.proto` file could not be compiled: a syntax error, a semantic error, or an import problem, with the
/// location it is about.
public struct ProtoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable {
        /// The text does not follow the `.proto` grammar (`expected X, found Y`).
        case syntax
        /// The file names an `edition`, which this compiler does not support.
        case editionsUnsupported
        /// An imported file was not found in any import root.
        case importNotFound
        /// Files import each other in a cycle.
        case importCycle
        /// A name is defined twice in one scope.
        case duplicateName
        /// A field number is used twice in one message.
        case duplicateNumber
        /// A number is outside the allowed range, or in protobuf's reserved 19000-19999 range.
        case numberOutOfRange
        /// A reserved number or name is used.
        case reservedUsed
        /// A type name does not resolve, resolves to the wrong kind, or is ambiguous.
        case unresolvedType
        /// An option is unknown, set twice, or has a value of the wrong type.
        case invalidOption
        /// A construct is not allowed here (for example `required` in proto3).
        case invalidDefinition
        /// A file could not be read.
        case io
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
