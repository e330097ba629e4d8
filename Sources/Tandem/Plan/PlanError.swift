import TandemProto

/// A migration plan was rejected: what is wrong, and where (plan file, YAML line, entry).
///
/// The description reads `Migrations/user/tandem.yaml:12: whitelist[3] (created_ms): <reason>`; parts that are
/// unknown (a plan built in Swift has no file or line) are left out.
public struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the plan has.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The plan file or a schema file could not be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The YAML does not parse, or a value has the wrong YAML shape (a list where a string belongs).
        public static let invalidYAML = Code(rawValue: "invalidYAML")
        /// A key the plan format does not define (typo protection).
        public static let unknownKey = Code(rawValue: "unknownKey")
        /// A required key is missing.
        public static let missingKey = Code(rawValue: "missingKey")
        /// A schema file does not compile or a descriptor set does not load.
        public static let schema = Code(rawValue: "schema")
        /// A message, field, path or enum value the plan names does not exist.
        public static let notFound = Code(rawValue: "notFound")
        /// A field's type does not fit its source or its convert.
        public static let typeMismatch = Code(rawValue: "typeMismatch")
        /// A number is outside its allowed range.
        public static let outOfRange = Code(rawValue: "outOfRange")
        /// An entry repeats another, or contradicts it.
        public static let conflict = Code(rawValue: "conflict")
        /// An entry cannot run backwards (v1 to v2), which `backfill --direction v1-to-v2` needs (DESIGN 11).
        public static let notInvertible = Code(rawValue: "notInvertible")
    }

    /// What kind of problem the plan has.
    public let code: Code
    /// The plan file (`Migrations/user/tandem.yaml`), when the plan was loaded from one.
    public var file: String?
    /// The 1-based YAML line of the entry, when known.
    public var line: Int?
    /// The entry concerned (`whitelist[3] (created_ms)`, `gate.confidence`); whitelist indices are 0-based.
    public var entry: String?
    /// What is wrong, naming what to fix.
    public let reason: String

    /// The YAML anchor of the entry (`whitelist[3]`), used to find its line.
    var anchor: String?

    /// Creates a plan error.
    public init(_ code: Code, file: String? = nil, line: Int? = nil, entry: String?, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.entry = entry
        self.reason = reason
        self.anchor = nil
    }

    init(_ code: Code, entry: String?, anchor: String?, reason: String) {
        self.init(code, entry: entry, reason: reason)
        self.anchor = anchor
    }

    public var description: String {
        var parts: [String] = []
        if let file {
            parts.append(line.map { "\(file):\($0)" } ?? file)
        }
        if let entry { parts.append(entry) }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }

    public static func == (lhs: PlanError, rhs: PlanError) -> Bool {
        lhs.code == rhs.code && lhs.file == rhs.file && lhs.line == rhs.line && lhs.entry == rhs.entry
            && lhs.reason == rhs.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(file)
        hasher.combine(line)
        hasher.combine(entry)
        hasher.combine(reason)
    }
}
