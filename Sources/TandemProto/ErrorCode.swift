/// The code of a Tandem error: a name, extensible (a new code never breaks a caller's `switch`, which needs a
/// `default`), compared by value (`error.code == .outOfRange`). Every public error type's `Code` conforms.
public protocol ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible where RawValue == String {}

extension ErrorCode {
    /// The code's name, as messages and reports spell it.
    public var description: String { rawValue }
}
