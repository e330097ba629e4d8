import SwiftProtobuf

extension ProtoParser {
    // MARK: - Options

    /// `option name = value;` (the `option` keyword already consumed).
    mutating func parseOptionStatement(
        owner: [Int32], kind: OptionKind, apply: (_ bytes: [UInt8]) throws -> Void
    ) throws(ProtoError) {
        try parseOption(owner: owner, kind: kind, terminator: ";", apply: apply)
        try expect(";")
    }

    /// `option name = value;` merged into `options` (the `option` keyword already consumed).
    mutating func parseOptionStatement<Options: SwiftProtobuf.Message>(
        into options: inout Options, owner: [Int32], kind: OptionKind
    ) throws(ProtoError) {
        var merged = options
        try parseOptionStatement(
            owner: owner, kind: kind, apply: { (bytes: [UInt8]) throws in try merged.merge(serializedBytes: bytes) })
        options = merged
    }

    /// Field options in brackets, with the special `default` and `json_name` pseudo-options.
    mutating func parseFieldOptions(_ field: inout Google_Protobuf_FieldDescriptorProto, path: [Int32])
        throws(ProtoError)
    {
        try expect("[")
        var options = field.options
        repeat {
            if at("default") && tokens[index + 1].text == "=" {
                let token = next()
                _ = next()
                if field.hasDefaultValue {
                    throw ProtoError(.invalidOption, at: location(of: token), "Already set option \"default\".")
                }
                if isProto3 {
                    throw ProtoError(
                        .invalidDefinition, at: location(of: token),
                        "Explicit default values are not allowed in proto3.")
                }
                if field.label == .repeated {
                    throw ProtoError(
                        .invalidDefinition, at: location(of: token),
                        "Repeated fields can't have default values.")
                }
                locations[path + [7]] = location(of: current)
                field.defaultValue = try parseDefault(for: field)
            } else if at("json_name") && tokens[index + 1].text == "=" {
                let token = next()
                _ = next()
                if field.hasJsonName {
                    throw ProtoError(.invalidOption, at: location(of: token), "Already set option \"json_name\".")
                }
                if !field.extendee.isEmpty || locations[path + [2]] != nil {
                    throw ProtoError(
                        .invalidOption, at: location(of: token),
                        "option json_name is not allowed on extension fields.")
                }
                locations[path + [10]] = location(of: current)
                field.jsonName = Self.text(try stringLiteral("string"))
            } else {
                try parseOption(
                    owner: path + [8], kind: .field, terminator: "]",
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
            }
        } while tryConsume(",")
        try expect("]")
        field.options = options
        if field.options == Google_Protobuf_FieldOptions()
            && !customOptions.contains(where: { $0.ownerPath == path + [8] })
        {
            field.clearOptions()
        }
    }

    /// A `[default = ...]` value, normalised as protoc's descriptor output writes it.
    mutating func parseDefault(for field: Google_Protobuf_FieldDescriptorProto) throws(ProtoError) -> String {
        let token = current
        let loc = location(of: token)
        if field.type == .group || field.type == .message {
            throw ProtoError(.invalidDefinition, at: loc, "Messages can't have default values.")
        }
        if !field.typeName.isEmpty && !field.hasType {
            // An enum (resolved later): the default must be one of its value names.
            guard current.kind == .identifier else { throw fail("enum identifier") }
            return next().text
        }
        switch field.type {
        case .string:
            return Self.text(try stringLiteral("string"))
        case .bytes:
            return DefaultValueFormat.cEscape(try stringLiteral("string"))
        case .bool:
            guard current.kind == .identifier, current.text == "true" || current.text == "false" else {
                throw fail("\"true\" or \"false\"")
            }
            return next().text
        case .float, .double:
            let negative = tryConsume("-")
            let valueToken = current
            let value: Double
            if valueToken.kind == .integer {
                // Integer literals too large for 64 bits are still valid floating-point defaults.
                if let magnitude = Self.integerValue(valueToken.text) {
                    value = Double(magnitude)
                } else if let approximate = Double(valueToken.text) {
                    value = approximate
                } else {
                    throw ProtoError(.numberOutOfRange, at: location(of: valueToken), "Integer out of range.")
                }
            } else if valueToken.kind == .float {
                value = Double(valueToken.text) ?? .nan
            } else if valueToken.kind == .identifier && (valueToken.text == "inf" || valueToken.text == "infinity") {
                value = .infinity
            } else if valueToken.kind == .identifier && valueToken.text == "nan" {
                value = .nan
            } else {
                throw fail("number")
            }
            _ = next()
            let signed = negative ? -value : value
            return field.type == .float ? DefaultValueFormat.float(Float(signed)) : DefaultValueFormat.double(signed)
        default:
            let negative = tryConsume("-")
            let valueToken = current
            guard valueToken.kind == .integer else { throw fail("integer") }
            _ = next()
            guard let magnitude = Self.integerValue(valueToken.text) else {
                throw ProtoError(.numberOutOfRange, at: location(of: valueToken), "Integer out of range.")
            }
            let isUnsigned =
                field.type == .uint32 || field.type == .uint64 || field.type == .fixed32 || field.type == .fixed64
            if isUnsigned && negative {
                throw ProtoError(
                    .invalidOption, at: location(of: valueToken), "Unsigned field can't have negative default.")
            }
            let is32 = [.int32, .sint32, .sfixed32, .uint32, .fixed32].contains(field.type)
            let limit: UInt64 =
                isUnsigned
                ? (is32 ? UInt64(UInt32.max) : UInt64.max)
                : (is32 ? UInt64(Int32.max) : UInt64(Int64.max)) + (negative ? 1 : 0)
            guard magnitude <= limit else {
                throw ProtoError(.numberOutOfRange, at: location(of: valueToken), "Integer out of range.")
            }
            return (negative && magnitude != 0 ? "-" : "") + String(magnitude)
        }
    }

    /// One `name = value` option; built-in options are applied through `apply` as serialized option-message
    /// bytes, custom (parenthesised) ones are kept for the option interpreter.
    mutating func parseOption(
        owner: [Int32], kind: OptionKind, terminator: String, apply: (_ bytes: [UInt8]) throws -> Void
    ) throws(ProtoError) {
        let nameToken = current
        var site = EditionRules.OptionSite(option: location(of: nameToken))
        if kind == .field {
            site.fieldName = locations[owner.dropLast() + [1]]
            site.fieldStart = locations[Array(owner.dropLast())]
        }
        var name: [OptionNamePart] = []
        repeat {
            if tryConsume("(") {
                let (ext, _) = try typeName()
                try expect(")")
                name.append(OptionNamePart(name: ext, isExtension: true))
            } else {
                name.append(OptionNamePart(name: try identifier("option name").text, isExtension: false))
            }
        } while tryConsume(".")
        try expect("=")
        let valueToken = current
        let value = try parseOptionValue()
        let loc = location(of: nameToken)
        if name.contains(where: { $0.isExtension }) {
            customOptions.append(PendingOption(ownerPath: owner, kind: kind, name: name, value: value, location: loc))
            return
        }
        // Where the option is, by its field of the options message (the first tag of its encoding), as protoc's
        // source info has it: compatibility findings about an option point at its statement.
        var number: Int32? = nil
        try BuiltinOptions.apply(
            name: name, value: value, kind: kind, edition: edition, at: site, valueLocation: location(of: valueToken),
            seen: &builtinSeen[owner, default: []],
            apply: { bytes in
                number = Self.firstFieldNumber(bytes)
                try apply(bytes)
            })
        if let number { locations[owner + [number]] = loc }
        if name.count == 2, name[0].name == "features", EditionRules.sourceRetainedFeatures.contains(name[1].name),
            let set = try? Google_Protobuf_FeatureSet(
                textFormatString: name[1].name + ": " + BuiltinOptions.textFormat(value, at: loc))
        {
            // Left out of the descriptor, but the linker's naming checks need it.
            try? sourceFeatures[owner, default: Google_Protobuf_FeatureSet()].merge(
                serializedBytes: set.serializedBytes() as [UInt8])
        }
    }

    /// The field number of the first tag of `bytes` (an encoded options message), if it has one.
    private static func firstFieldNumber(_ bytes: [UInt8]) -> Int32? {
        var tag: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes.prefix(5) {
            tag |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return tag >> 3 > 0 ? Int32(truncatingIfNeeded: tag >> 3) : nil }
            shift += 7
        }
        return nil
    }

    mutating func parseOptionValue() throws(ProtoError) -> OptionValue {
        if at("{") {
            return .aggregate(try aggregateText())
        }
        let negative = tryConsume("-")
        let token = current
        switch token.kind {
        case .identifier:
            _ = next()
            return .identifier(token.text, negative: negative)
        case .integer:
            _ = next()
            return .integer(text: token.text, negative: negative)
        case .float:
            _ = next()
            return .float(text: token.text, negative: negative)
        case .string where !negative:
            return .string(try stringLiteral())
        default:
            throw fail("option value")
        }
    }

    /// The raw text of a `{ ... }` aggregate value, braces included, re-joined from tokens.
    mutating func aggregateText() throws(ProtoError) -> String {
        var depth = 0
        var parts: [String] = []
        repeat {
            let token = next()
            if token.kind == .end { throw fail("\"}\"") }
            if token.kind == .symbol && (token.text == "{" || token.text == "<") { depth += 1 }
            if token.kind == .symbol && (token.text == "}" || token.text == ">") { depth -= 1 }
            if token.kind == .string {
                parts.append("\"" + DefaultValueFormat.cEscape(token.bytes) + "\"")
            } else {
                parts.append(token.text)
            }
        } while depth > 0
        return parts.joined(separator: " ")
    }
}
