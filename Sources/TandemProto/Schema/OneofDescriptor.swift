/// A oneof of a message: its name, member field numbers, and whether protoc synthesised it for a proto3
/// `optional` field.
public struct OneofDescriptor: Sendable {
    /// The oneof's name (`_name` for synthetic oneofs).
    public let name: String
    /// The numbers of its member fields, in declaration order.
    public let fieldNumbers: [Int32]
    /// Whether protoc synthesised this oneof for a proto3 `optional` field.
    public let isSynthetic: Bool

    /// Creates a oneof descriptor.
    package init(name: String, fieldNumbers: [Int32], isSynthetic: Bool) {
        self.name = name
        self.fieldNumbers = fieldNumbers
        self.isSynthetic = isSynthetic
    }
}
