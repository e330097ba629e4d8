/// How shadow and primary records are compared (the plan's `compare:` keys); paths are v1 field paths.
public struct CompareOptions: Sendable, Hashable {
    /// Fields never compared.
    public var ignore: [FieldPath]
    /// Repeated fields compared as multisets rather than in order.
    public var unordered: [FieldPath]
    /// Absolute tolerance for finite floating-point values; 0 means exact.
    public var floatTolerance: Double

    /// Creates comparison options; by default nothing is ignored, everything is ordered and floats are exact.
    public init(ignore: [FieldPath] = [], unordered: [FieldPath] = [], floatTolerance: Double = 0) {
        self.ignore = ignore
        self.unordered = unordered
        self.floatTolerance = floatTolerance
    }
}
