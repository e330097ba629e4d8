import TandemProto

/// A v2 record projected onto the v1 shape, plus the values the v1 shape cannot hold.
///
/// Integer narrowing never truncates (DESIGN 3): a v2 value that does not fit its v1 field is left out of
/// ``message`` (a repeated element or map value keeps its place with the v1 default) and kept, unnarrowed, in
/// ``unrepresentable`` under its exact v1 path. The diff engine reports each such path as `changed`, showing the
/// v2 value.
public struct ProjectedRecord: Sendable, Hashable {
    /// The projected record, of the plan's v1 type, holding only whitelisted fields.
    public var message: DynamicMessage
    /// v2 values that do not fit their v1 field, by exact v1 path (`count`, `items[2].qty`, `attrs["k"]`).
    public var unrepresentable: [String: ProtoValue]

    /// Creates a projected record.
    public init(message: DynamicMessage, unrepresentable: [String: ProtoValue] = [:]) {
        self.message = message
        self.unrepresentable = unrepresentable
    }

    /// Whether every whitelisted value fits the v1 shape (only then can canonical bytes stand for the record).
    public var isFullyRepresentable: Bool { unrepresentable.isEmpty }
}
