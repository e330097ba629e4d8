/// Where a compatibility check starts; it then follows fields by number into the message and enum types they use.
public enum CompatibilityRoots: Sendable, Hashable {
    /// One message on each side, by full name (a plan's `v1.message` and `v2.message`).
    case messages(v1: String, v2: String)
    /// The message called `name` relative to its file's package on each side (`--message User` finds
    /// `acme.user.v1.User` and `acme.user.v2.User`); nested names are dotted (`User.Address`).
    case named(String)
    /// Every top-level message (and enum) of the requested files whose name relative to its package exists on both
    /// sides; those that exist only in v1 are reported as deleted.
    case allTopLevel
    /// The whole schemas, as buf compares them (DESIGN 13): files pair by name; every message, enum and service of
    /// the requested files, nested or not, reached by a field or not, pairs by full name, or by the name relative
    /// to its package where a paired file's package changed (reported once per file as `FILE_SAME_PACKAGE`).
    case wholeSchema
}
