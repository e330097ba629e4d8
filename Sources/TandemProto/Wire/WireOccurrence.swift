/// Where one field occurrence sits in a payload: its number and wire type, the offset of its tag and the offset
/// of its value (just past the tag).
public struct WireOccurrence: Sendable, Hashable {
    /// The field number.
    public let number: Int32
    /// The wire type of the occurrence.
    public let wireType: WireType
    /// The offset of the tag.
    public let tagOffset: Int
    /// The offset of the value.
    public let valueOffset: Int

    /// Creates an occurrence record.
    public init(number: Int32, wireType: WireType, tagOffset: Int, valueOffset: Int) {
        self.number = number
        self.wireType = wireType
        self.tagOffset = tagOffset
        self.valueOffset = valueOffset
    }
}
