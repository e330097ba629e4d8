import TandemProto

/// One side of a plan (v1 or v2): its schema pool, the record's message name, and the files it came from.
public struct PlanSchema: Sendable {
    /// The pool of this side; v1 and v2 are separate pools, so the same full names may exist in both.
    public let schema: Schema
    /// The full name of the record's message type.
    public let messageName: String
    /// The schema files (`.proto` or descriptor set) relative to the plan directory, as the plan names them.
    public let files: [String]

    /// Creates one side of a plan.
    public init(schema: Schema, messageName: String, files: [String] = []) {
        self.schema = schema
        self.messageName = messageName
        self.files = files
    }
}
