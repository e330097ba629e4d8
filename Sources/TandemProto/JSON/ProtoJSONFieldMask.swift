/// The JSON form of `google.protobuf.FieldMask`: paths joined by commas, each in lowerCamelCase
/// (field_mask.proto, "JSON Encoding of Field Masks").
enum ProtoJSONFieldMask {
    /// `user.display_name` -> `user.displayName`, or `nil` when the path would not read back the same (an uppercase
    /// letter, or an underscore not followed by a lowercase letter).
    static func camelCase(_ path: String) -> String? {
        var out = ""
        var afterUnderscore = false
        for scalar in path.unicodeScalars {
            if scalar == "_" {
                guard !afterUnderscore else { return nil }
                afterUnderscore = true
            } else if afterUnderscore {
                guard ("a"..."z").contains(scalar) else { return nil }
                out.unicodeScalars.append(contentsOf: String(scalar).uppercased().unicodeScalars)
                afterUnderscore = false
            } else {
                guard !("A"..."Z").contains(scalar) else { return nil }
                out.unicodeScalars.append(scalar)
            }
        }
        return afterUnderscore ? nil : out
    }

    /// `user.displayName` -> `user.display_name`, or `nil` when the path holds an underscore (which JSON paths never
    /// do: it would not print back the same).
    static func snakeCase(_ path: String) -> String? {
        var out = ""
        for scalar in path.unicodeScalars {
            if scalar == "_" { return nil }
            if ("A"..."Z").contains(scalar) {
                out += "_" + String(scalar).lowercased()
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
