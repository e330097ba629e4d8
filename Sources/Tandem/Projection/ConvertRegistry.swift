import TandemProto

/// Named converts a library user registers in Swift, for plans that say `convert: <name>`.
///
/// A convert receives the v2 source value (a message value for message-typed sources) and returns the value of
/// the v1 field. A convert that throws, or returns a value that does not fit the v1 field, makes the field
/// unrepresentable: the comparison reports it as `changed`, showing the v2 value.
public struct ConvertRegistry: Sendable {
    /// A named convert.
    public typealias Convert = @Sendable (ProtoValue) throws -> ProtoValue

    private var converts: [String: Convert] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Registers (or replaces) the convert called `name`.
    public mutating func register(name: String, _ convert: @escaping Convert) {
        converts[name] = convert
    }

    /// The convert called `name`, if registered.
    public func convert(named name: String) -> Convert? { converts[name] }

    /// The registered names, sorted.
    public var names: [String] { converts.keys.sorted() }
}
