/// Where one field occurrence sits in a payload: its number and wire type, the offset of its tag and the offset
/// of its value (just past the tag).
package struct WireOccurrence: Sendable {
    /// The field number.
    package let number: Int32
    /// The wire type of the occurrence.
    package let wireType: WireType
    /// The offset of the tag.
    package let tagOffset: Int
    /// The offset of the value.
    package let valueOffset: Int

    /// Creates an occurrence record.
    package init(number: Int32, wireType: WireType, tagOffset: Int, valueOffset: Int) {
        self.number = number
        self.wireType = wireType
        self.tagOffset = tagOffset
        self.valueOffset = valueOffset
    }
}
