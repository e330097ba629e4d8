import SwiftProtobuf

extension ProtoParser {
    // MARK: - Messages

    mutating func parseMessage(path: [Int32]) throws(ProtoError) -> Google_Protobuf_DescriptorProto {
        let nameToken = try identifier("message name")
        var message = Google_Protobuf_DescriptorProto()
        message.name = nameToken.text
        locations[path] = location(of: nameToken)
        locations[path + [1]] = location(of: nameToken)
        try expect("{")
        try parseMessageBody(&message, path: path)
        Self.resolveMax(&message)
        return message
    }

    /// Replaces the `max` placeholder (-1) of extension and reserved ranges with protoc's value: one past the
    /// largest field number, or INT32_MAX for message_set_wire_format messages.
    static func resolveMax(_ message: inout Google_Protobuf_DescriptorProto) {
        let max: Int32 = message.options.messageSetWireFormat ? Int32.max : 536_870_912
        for i in message.extensionRange.indices where message.extensionRange[i].end == -1 {
            message.extensionRange[i].end = max
        }
        for i in message.reservedRange.indices where message.reservedRange[i].end == -1 {
            message.reservedRange[i].end = max
        }
    }

    /// Messages nest at most this deep, so hostile input cannot exhaust the stack.
    static let maxNesting = 64

    /// The statements of a message up to and including its closing brace.
    mutating func parseMessageBody(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
        throws(ProtoError)
    {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maxNesting {
            throw ProtoError(.syntax, at: here, "Messages nest more than \(Self.maxNesting) levels deep.")
        }
        while try nextStatement() {
            let visibility = try visibilityModifier(topLevel: false)
            if at("message") {
                _ = next()
                var nested = try parseMessage(path: path + [3, Int32(message.nestedType.count)])
                if let visibility { nested.visibility = visibility }
                message.nestedType.append(nested)
            } else if at("enum") {
                _ = next()
                var nested = try parseEnum(path: path + [4, Int32(message.enumType.count)])
                if let visibility { nested.visibility = visibility }
                message.enumType.append(nested)
            } else if at("option") {
                _ = next()
                try parseOptionStatement(into: &message.options, owner: path + [7], kind: .message)
            } else if at("extensions") {
                _ = next()
                try parseExtensions(&message, path: path)
            } else if at("reserved") {
                _ = next()
                try parseReserved(&message, path: path)
            } else if at("extend") {
                _ = next()
                let fields = try parseExtend(basePath: path + [6], firstIndex: Int32(message.extension.count))
                message.extension.append(contentsOf: fields)
            } else if at("oneof") {
                _ = next()
                try parseOneof(&message, path: path)
            } else {
                try parseField(into: &message, path: path, oneofIndex: nil)
            }
        }
    }

    /// Edition 2024's `export` or `local` before a message or enum, consumed; `nil` when the statement has none (a
    /// field whose type is named `export` is a field).
    mutating func visibilityModifier(topLevel: Bool) throws(ProtoError) -> Google_Protobuf_SymbolVisibility? {
        guard let edition, edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue,
            at("export") || at("local"), index + 3 < tokens.count
        else { return nil }
        let following = tokens[index + 1]
        if (following.text == "message" || following.text == "enum") && tokens[index + 2].kind == .identifier
            && tokens[index + 3].text == "{"
        {
            return next().text == "export" ? .visibilityExport : .visibilityLocal
        }
        if topLevel && following.kind == .identifier {
            throw ProtoError(
                .syntax, at: location(of: following),
                "'local' and 'export' visibility modifiers are valid only on 'message' and 'enum'")
        }
        return nil
    }

    static let scalarTypes: [String: Google_Protobuf_FieldDescriptorProto.TypeEnum] = [
        "double": .double, "float": .float, "int64": .int64, "uint64": .uint64, "int32": .int32,
        "fixed64": .fixed64, "fixed32": .fixed32, "bool": .bool, "string": .string, "bytes": .bytes,
        "uint32": .uint32, "sfixed32": .sfixed32, "sfixed64": .sfixed64, "sint32": .sint32, "sint64": .sint64,
    ]

    /// A field, group or map field of a message (or, with `extendee`, of an `extend` block).
    mutating func parseField(
        into message: inout Google_Protobuf_DescriptorProto, path: [Int32], oneofIndex: Int32?
    ) throws(ProtoError) {
        let fieldPath = path + [2, Int32(message.field.count)]
        var field = try parseFieldCommon(
            fieldPath: fieldPath, inOneof: oneofIndex != nil, isExtension: false,
            nestedPath: path + [3, Int32(message.nestedType.count)],
            addNested: { message.nestedType.append($0) })
        if let oneofIndex { field.oneofIndex = oneofIndex }
        message.field.append(field)
    }

    /// Parses one field declaration; a group's or map's synthesised message type is handed to `addNested`.
    mutating func parseFieldCommon(
        fieldPath: [Int32], inOneof: Bool, isExtension: Bool, nestedPath: [Int32],
        addNested: (Google_Protobuf_DescriptorProto) -> Void
    ) throws(ProtoError) -> Google_Protobuf_FieldDescriptorProto {
        var field = Google_Protobuf_FieldDescriptorProto()
        let start = current
        locations[fieldPath] = location(of: start)
        var label: Google_Protobuf_FieldDescriptorProto.Label? = nil
        if at("optional") || at("required") || at("repeated") {
            // `optional` etc. are only labels when followed by a type; a message named `optional` is legal.
            let word = current.text
            if inOneof {
                throw ProtoError(
                    .syntax, at: here,
                    "Fields in oneofs must not have labels (required / optional / repeated).")
            }
            if edition != nil && word == "optional" {
                throw ProtoError(
                    .invalidDefinition, at: here,
                    "Label \"optional\" is not supported in editions. By default, all singular fields have presence unless features.field_presence is set."
                )
            }
            if edition != nil && word == "required" {
                throw ProtoError(
                    .invalidDefinition, at: here,
                    "Label \"required\" is not supported in editions, use features.field_presence = LEGACY_REQUIRED.")
            }
            _ = next()
            label = word == "optional" ? .optional : (word == "required" ? .required : .repeated)
            locations[fieldPath + [4]] = location(of: start)
            if label == .required && isProto3 {
                throw ProtoError(
                    .invalidDefinition, at: location(of: start),
                    "Required fields are not allowed in proto3.")
            }
        }
        if at("map") && tokens[index + 1].text == "<" {
            let mapToken = next()
            if label != nil {
                throw ProtoError(
                    .syntax, at: location(of: start),
                    "Field labels (required/optional/repeated) are not allowed on map fields.")
            }
            if inOneof {
                throw ProtoError(.syntax, at: location(of: mapToken), "Map fields are not allowed in oneofs.")
            }
            _ = next()
            let keyToken = current
            let (keyType, _) = try typeName()
            try expect(",")
            let valueToken = current
            let (valueType, _) = try typeName()
            try expect(">")
            let nameToken = try identifier("field name")
            try expect("=")
            let numberToken = current
            let number = try fieldNumber()
            field.name = nameToken.text
            field.number = number
            field.label = .repeated
            field.type = .message
            locations[fieldPath + [1]] = location(of: nameToken)
            locations[fieldPath + [3]] = location(of: numberToken)
            locations[fieldPath + [6]] = location(of: keyToken)
            var entry = Google_Protobuf_DescriptorProto()
            entry.name = ProtoNames.mapEntryName(nameToken.text)
            entry.options.mapEntry = true
            var key = Google_Protobuf_FieldDescriptorProto()
            key.name = "key"
            key.number = 1
            key.label = .optional
            key.jsonName = "key"
            if let scalar = Self.scalarTypes[keyType] {
                guard scalar != .double && scalar != .float && scalar != .bytes else {
                    throw ProtoError(
                        .invalidDefinition, at: location(of: keyToken),
                        "Key in map fields cannot be float/double, bytes or message types.")
                }
                key.type = scalar
            } else {
                // Enum keys are rejected by the linker once the name resolves; message keys too.
                key.typeName = keyType
            }
            var value = Google_Protobuf_FieldDescriptorProto()
            value.name = "value"
            value.number = 2
            value.label = .optional
            value.jsonName = "value"
            if let scalar = Self.scalarTypes[valueType] { value.type = scalar } else { value.typeName = valueType }
            entry.field = [key, value]
            locations[nestedPath] = location(of: nameToken)
            locations[nestedPath + [2, 0, 6]] = location(of: keyToken)
            locations[nestedPath + [2, 1, 6]] = location(of: valueToken)
            locations[nestedPath + [2, 1]] = location(of: valueToken)
            field.typeName = entry.name
            if at("[") { try parseFieldOptions(&field, path: fieldPath) }
            try expect(";")
            // protoc gives the entry's key and value the map field's features.
            if field.options.hasFeatures {
                for i in entry.field.indices { entry.field[i].options.features = field.options.features }
            }
            addNested(entry)
            return field
        }

        if let label {
            field.label = label
        } else if isProto3 || inOneof || edition != nil {
            field.label = .optional
        } else {
            throw fail("\"required\", \"optional\", or \"repeated\"")
        }
        if label == .optional && isProto3 && !inOneof { field.proto3Optional = true }

        if at("group") && tokens[index + 1].kind == .identifier {
            let groupToken = next()
            if edition != nil {
                throw ProtoError(
                    .invalidDefinition, at: location(of: groupToken),
                    "Group syntax is no longer supported in editions. To get group behavior you can specify features.message_encoding = DELIMITED on a message field."
                )
            }
            if isProto3 {
                throw ProtoError(
                    .invalidDefinition, at: location(of: groupToken),
                    "Groups are not supported in proto3 syntax.")
            }
            let nameToken = try identifier("group name")
            guard let first = nameToken.text.unicodeScalars.first, first.properties.isUppercase else {
                throw ProtoError(.syntax, at: location(of: nameToken), "Group names must start with a capital letter.")
            }
            try expect("=")
            let numberToken = current
            field.number = try fieldNumber()
            field.name = nameToken.text.lowercased()
            field.type = .group
            field.typeName = nameToken.text
            locations[fieldPath + [1]] = location(of: nameToken)
            locations[fieldPath + [3]] = location(of: numberToken)
            locations[fieldPath + [6]] = location(of: nameToken)
            if at("[") { try parseFieldOptions(&field, path: fieldPath) }
            var group = Google_Protobuf_DescriptorProto()
            group.name = nameToken.text
            locations[nestedPath] = location(of: nameToken)
            locations[nestedPath + [1]] = location(of: nameToken)
            try expect("{")
            try parseMessageBody(&group, path: nestedPath)
            Self.resolveMax(&group)
            addNested(group)
            return field
        }

        let typeToken = current
        let (type, _) = try typeName()
        if let scalar = Self.scalarTypes[type] {
            field.type = scalar
        } else {
            field.typeName = type
        }
        locations[fieldPath + [6]] = location(of: typeToken)
        locations[fieldPath + [5]] = location(of: typeToken)
        let nameToken = try identifier("field name")
        field.name = nameToken.text
        locations[fieldPath + [1]] = location(of: nameToken)
        try expect("=")
        let numberToken = current
        field.number = try fieldNumber()
        locations[fieldPath + [3]] = location(of: numberToken)
        if at("[") { try parseFieldOptions(&field, path: fieldPath) }
        try expect(";")
        return field
    }

    /// A field number: a non-negative integer literal that fits in 32 bits (range rules are the linker's).
    mutating func fieldNumber() throws(ProtoError) -> Int32 {
        let token = current
        guard token.kind == .integer else { throw fail("field number") }
        _ = next()
        guard let value = Self.integerValue(token.text), value <= UInt64(Int32.max) else {
            throw ProtoError(.numberOutOfRange, at: location(of: token), "Integer out of range.")
        }
        return Int32(value)
    }

    /// The value of a decimal, octal (leading 0) or hex (0x) literal, nil on overflow.
    static func integerValue(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        if text.count > 1 && text.hasPrefix("0") { return UInt64(text.dropFirst(), radix: 8) }
        return UInt64(text, radix: 10)
    }

    mutating func parseOneof(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32]) throws(ProtoError) {
        let nameToken = try identifier("oneof name")
        let oneofIndex = Int32(message.oneofDecl.count)
        let oneofPath = path + [8, oneofIndex]
        var decl = Google_Protobuf_OneofDescriptorProto()
        decl.name = nameToken.text
        locations[oneofPath] = location(of: nameToken)
        locations[oneofPath + [1]] = location(of: nameToken)
        message.oneofDecl.append(decl)
        try expect("{")
        var memberCount = 0
        while try nextStatement() {
            if at("option") {
                _ = next()
                try parseOptionStatement(
                    into: &message.oneofDecl[Int(oneofIndex)].options, owner: oneofPath + [2], kind: .oneof)
                continue
            }
            try parseField(into: &message, path: path, oneofIndex: oneofIndex)
            memberCount += 1
        }
        if memberCount == 0 {
            throw ProtoError(.invalidDefinition, at: location(of: nameToken), "Oneof must have at least one field.")
        }
    }

    mutating func parseExtensions(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
        throws(ProtoError)
    {
        let first = message.extensionRange.count
        repeat {
            let startToken = current
            let start = try fieldNumber()
            var end = start
            if tryConsume("to") {
                if tryConsume("max") {
                    // protoc resolves `max` to the largest field number plus one (exclusive end); a
                    // message_set_wire_format message allows up to INT32_MAX, fixed up after options are read.
                    end = -1
                } else {
                    end = try fieldNumber()
                }
            }
            var range = Google_Protobuf_DescriptorProto.ExtensionRange()
            range.start = start
            range.end = end == -1 ? -1 : end &+ 1
            locations[path + [5, Int32(message.extensionRange.count)]] = location(of: startToken)
            message.extensionRange.append(range)
        } while tryConsume(",")
        if at("[") {
            var options = Google_Protobuf_ExtensionRangeOptions()
            let ownerPath = path + [5, Int32(first), 3]
            _ = next()
            repeat {
                try parseOption(
                    owner: ownerPath, kind: .extensionRange, terminator: "]",
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
            } while tryConsume(",")
            try expect("]")
            // Options after a list of ranges apply to each range of the statement, as protoc applies them.
            let pendingForFirst = customOptions.filter { $0.ownerPath == ownerPath }
            for i in (first + 1)..<max(first + 1, message.extensionRange.count) {
                for var option in pendingForFirst {
                    option.ownerPath = path + [5, Int32(i), 3]
                    customOptions.append(option)
                }
            }
            if options != Google_Protobuf_ExtensionRangeOptions() {
                for i in first..<message.extensionRange.count { message.extensionRange[i].options = options }
            }
        }
        try expect(";")
    }

    mutating func parseReserved(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
        throws(ProtoError)
    {
        if current.kind == .string {
            repeat {
                let token = current
                let name = Self.text(try stringLiteral())
                locations[path + [10, Int32(message.reservedName.count)]] = location(of: token)
                message.reservedName.append(name)
            } while tryConsume(",")
        } else {
            repeat {
                let token = current
                let start = try fieldNumber()
                var end = start + 1
                if tryConsume("to") {
                    if tryConsume("max") {
                        end = -1
                    } else {
                        end = try fieldNumber() &+ 1
                    }
                }
                var range = Google_Protobuf_DescriptorProto.ReservedRange()
                range.start = start
                range.end = end
                locations[path + [9, Int32(message.reservedRange.count)]] = location(of: token)
                message.reservedRange.append(range)
            } while tryConsume(",")
        }
        try expect(";")
    }

    mutating func parseExtend(basePath: [Int32], firstIndex: Int32) throws(ProtoError)
        -> [Google_Protobuf_FieldDescriptorProto]
    {
        let extendeeToken = current
        let (extendee, _) = try typeName()
        try expect("{")
        var fields: [Google_Protobuf_FieldDescriptorProto] = []
        // Groups declared in an extend block become nested types of the enclosing scope; they are collected here
        // and handed to the caller through `pendingExtendGroups`.
        while try nextStatement() {
            let fieldPath = basePath + [firstIndex + Int32(fields.count)]
            var field = try parseFieldCommon(
                fieldPath: fieldPath, inOneof: false, isExtension: true, nestedPath: fieldPath + [99],
                addNested: { _ in })
            if field.type == .group {
                throw ProtoError(
                    .invalidDefinition, at: locations[fieldPath] ?? location(of: extendeeToken),
                    "Groups in extend blocks are not supported by this compiler.")
            }
            if field.label == .required {
                throw ProtoError(
                    .invalidDefinition, at: locations[fieldPath] ?? location(of: extendeeToken),
                    "The extension \(field.name) cannot be required.")
            }
            field.extendee = extendee
            field.clearProto3Optional()
            locations[fieldPath + [2]] = location(of: extendeeToken)
            fields.append(field)
        }
        return fields
    }
}
