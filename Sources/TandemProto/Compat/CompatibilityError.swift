/// A compatibility check could not start: a root message does not exist, or the two sides share none.
public struct CompatibilityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A root message named by the caller is not defined on one side.
        public static let messageNotFound = Code(rawValue: "messageNotFound")
        /// Without a named root, no top-level message exists on both sides.
        public static let nothingInCommon = Code(rawValue: "nothingInCommon")
    }

    /// What went wrong.
    public let code: Code
    /// Which side (`v1` or `v2`) the problem is on, when it is on one side.
    public let side: String?
    /// The files of that side (or of both), as named in their pools.
    public let files: [String]
    /// What is wrong and what to do about it.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, side: String?, files: [String], reason: String) {
        self.code = code
        self.side = side
        self.files = files
        self.reason = reason
    }

    /// `v1 (acme/user.proto): message User is not defined ...`.
    public var description: String {
        var prefix = side ?? ""
        if !files.isEmpty { prefix += (prefix.isEmpty ? "" : " ") + "(" + files.joined(separator: ", ") + ")" }
        return prefix.isEmpty ? reason : prefix + ": " + reason
    }
}
