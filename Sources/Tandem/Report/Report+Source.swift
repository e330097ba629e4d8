extension Report {
    /// The run that produced a report (the JSON report's `source`): Tandem's commands, or a name a service chose.
    public struct Source: RawRepresentable, Sendable, Codable, Hashable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        /// The name reports show.
        public var rawValue: String

        /// A source named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A source named by a literal (`"profile-service"`).
        public init(stringLiteral value: String) { rawValue = value }

        /// The name reports show.
        public var description: String { rawValue }

        /// `tandem replay`, or an engine replaying traffic.
        public static let replay = Source(rawValue: "replay")
        /// `tandem verify`: every pair of the two stores compared.
        public static let verify = Source(rawValue: "verify")
        /// `tandem backfill`.
        public static let backfill = Source(rawValue: "backfill")
        /// `tandem repair`.
        public static let repair = Source(rawValue: "repair")
    }
}
