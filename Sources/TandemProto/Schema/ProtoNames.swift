/// Name derivations protoc applies, reproduced exactly.
public enum ProtoNames {
    /// The default proto3 JSON name of a field: underscores removed, the letter after each uppercased
    /// (protoc's `ToJsonName`).
    public static func jsonName(_ name: String) -> String {
        camelCase(name, capitalizeFirst: false)
    }

    /// The name of the entry message protoc synthesises for a map field (`item_counts` -> `ItemCountsEntry`).
    public static func mapEntryName(_ fieldName: String) -> String {
        camelCase(fieldName, capitalizeFirst: true) + "Entry"
    }

    /// Drops underscores and uppercases ASCII letters that follow one (and the first, when asked); other characters
    /// stay as they are, as protoc does it (no locale rules).
    private static func camelCase(_ name: String, capitalizeFirst: Bool) -> String {
        var result = ""
        result.reserveCapacity(name.utf8.count)
        var capitalizeNext = capitalizeFirst
        for scalar in name.unicodeScalars {
            if scalar == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                if scalar.value >= 0x61 && scalar.value <= 0x7A, let upper = Unicode.Scalar(scalar.value - 32) {
                    result.unicodeScalars.append(upper)
                } else {
                    result.unicodeScalars.append(scalar)
                }
                capitalizeNext = false
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
