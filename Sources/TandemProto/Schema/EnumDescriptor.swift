/// A resolved enum: its values by name and by number, and whether it is closed (proto2) or open (proto3).
public final class EnumDescriptor: Sendable {
    /// One value of the enum.
    public struct Value: Sendable, Hashable {
        /// The value's name (`ACTIVE`).
        public let name: String
        /// The value's number.
        public let number: Int32
        /// Creates an enum value.
        package init(name: String, number: Int32) {
            self.name = name
            self.number = number
        }
    }

    /// The enum's full name, without a leading dot (`acme.user.v1.Status`).
    public let fullName: String
    /// The values in declaration order.
    public let values: [Value]
    /// Whether unknown numbers are rejected into unknown fields when decoding (proto2 enums are closed).
    public let isClosed: Bool
    /// Index of this enum in the owning ``Schema``.
    public let index: Int

    private let byName: [String: Int32]
    private let byNumber: [Int32: String]

    /// Creates an enum descriptor; aliases keep the first name for a number.
    package init(fullName: String, values: [Value], isClosed: Bool, index: Int) {
        self.fullName = fullName
        self.values = values
        self.isClosed = isClosed
        self.index = index
        var byName: [String: Int32] = [:]
        var byNumber: [Int32: String] = [:]
        for value in values {
            byName[value.name] = value.number
            if byNumber[value.number] == nil { byNumber[value.number] = value.name }
        }
        self.byName = byName
        self.byNumber = byNumber
    }

    /// The number of the value named `name`, if any.
    public func number(named name: String) -> Int32? { byName[name] }

    /// The first-declared name of the value numbered `number`, if any.
    public func name(of number: Int32) -> String? { byNumber[number] }

    /// The default value: the first declared value's number (0 when the enum is empty).
    public var defaultNumber: Int32 { values.first?.number ?? 0 }

    /// The enum's short name (the last component of ``fullName``).
    public var name: String { fullName.split(separator: ".").last.map(String.init) ?? fullName }
}
