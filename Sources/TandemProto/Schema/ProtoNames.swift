/// Name derivations protoc applies, reproduced exactly.
public enum ProtoNames {
    /// The default proto3 JSON name of a field: underscores removed, the letter after each uppercased
    /// (protoc's `ToJsonName`).
    public static func jsonName(_ name: String) -> String {
        var result = ""
        result.reserveCapacity(name.utf8.count)
        var capitalizeNext = false
        for scalar in name.unicodeScalars {
            if scalar == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                if scalar.value >= 0x61 && scalar.value <= 0x7A {
                    result.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
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

    /// The name of the entry message protoc synthesises for a map field (`item_counts` -> `ItemCountsEntry`).
    public static func mapEntryName(_ fieldName: String) -> String {
        var result = ""
        var capitalizeNext = true
        for scalar in fieldName.unicodeScalars {
            if scalar == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                if scalar.value >= 0x61 && scalar.value <= 0x7A {
                    result.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
                } else {
                    result.unicodeScalars.append(scalar)
                }
                capitalizeNext = false
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "Entry"
    }
}
