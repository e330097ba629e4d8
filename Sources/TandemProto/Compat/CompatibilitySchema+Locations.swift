extension CompatibilitySchema {
    /// Where the message `messageName` (full name), or its field `field`, is declared; `nil` when the pool has no
    /// such message or field. Without source locations line and column are 0.
    package func locate(message messageName: String, field: String? = nil) -> FindingLocation? {
        let pool = CompatibilityPool(side: "", schema: self)
        guard let message = pool.messages[messageName] else { return nil }
        guard let field else { return pool.locate(file: message.file, path: message.path, element: message.fullName) }
        guard let index = message.proto.field.firstIndex(where: { $0.name == field }) else { return nil }
        return pool.locate(
            file: message.file, path: message.path + [2, Int32(index)], element: message.fullName + "." + field)
    }

    /// Where the enum `enumName` (full name), or its value `value`, is declared; `nil` when there is no such enum or
    /// value.
    package func locate(enum enumName: String, value: String? = nil) -> FindingLocation? {
        let pool = CompatibilityPool(side: "", schema: self)
        guard let enumType = pool.enums[enumName] else { return nil }
        guard let value else {
            return pool.locate(file: enumType.file, path: enumType.path, element: enumType.fullName)
        }
        guard let index = enumType.proto.value.firstIndex(where: { $0.name == value }) else { return nil }
        return pool.locate(
            file: enumType.file, path: enumType.path + [2, Int32(index)], element: enumType.fullName + "." + value)
    }
}
