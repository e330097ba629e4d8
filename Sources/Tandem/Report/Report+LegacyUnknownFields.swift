extension Report {
    /// Unknown fields of one field path that legacy v1 payloads carried when written (the report's
    /// `legacy_unknown_fields`): counted before the whitelist trims them, never mismatches.
    public struct LegacyUnknownField: Sendable, Codable, Hashable {
        /// Where: the v1 message path ending in the field number (`address.99`), or in the field's name when the
        /// number is declared and the value was an undeclared value of a closed enum (`status`).
        public var path: String
        /// The field number.
        public var number: Int32
        /// How many unknown fields of that path the legacy writer sent.
        public var count: Int

        /// Creates a count.
        public init(path: String, number: Int32, count: Int) {
            self.path = path
            self.number = number
            self.count = count
        }

        /// This count with another value.
        func with(count: Int) -> LegacyUnknownField {
            LegacyUnknownField(path: path, number: number, count: count)
        }
    }
}
