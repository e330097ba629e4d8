import SwiftProtobuf

/// Parses the text of one `.proto` file (proto2 or proto3) into an unlinked `FileDescriptorProto`, following
/// the grammar of protobuf's language specifications and protoc's parser where they leave room.
struct ProtoParser {
    private var tokens: [Token]
    private var index = 0
    private let fileName: String
    private var file = Google_Protobuf_FileDescriptorProto()
    private var locations: LocationRecorder
    private var importLocations: [SourceLocation] = []
    private var customOptions: [PendingOption] = []
    private var isProto3 = false

    /// Parses `text`, naming the file `fileName` in the descriptor and in every error.
    ///
    /// - Parameter recordsLocations: Whether the result's `locations` say where each element is (else they are empty).
    static func parse(_ text: [UInt8], fileName: String, recordsLocations: Bool = true) throws(ProtoError) -> ParsedFile
    {
        var tokenizer = Tokenizer(text, file: fileName)
        let tokens = try tokenizer.tokenize()
        var parser = ProtoParser(tokens: tokens, fileName: fileName, recordsLocations: recordsLocations)
        return try parser.parseFile()
    }

    private init(tokens: [Token], fileName: String, recordsLocations: Bool) {
        self.tokens = tokens
        self.fileName = fileName
        locations = LocationRecorder(enabled: recordsLocations)
    }

    // MARK: - Token helpers

    private var current: Token { tokens[index] }

    private func location(of token: Token) -> SourceLocation {
        SourceLocation(file: fileName, line: token.line + 1, column: token.column + 1)
    }

    private var here: SourceLocation { location(of: current) }

    private mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func at(_ symbol: String) -> Bool {
        (current.kind == .symbol || current.kind == .identifier) && current.text == symbol
    }

    private mutating func tryConsume(_ symbol: String) -> Bool {
        if at(symbol) {
            _ = next()
            return true
        }
        return false
    }

    private func fail(_ expected: String) -> ProtoError {
        ProtoError(.syntax, at: here, "Expected \(expected), found \(current.quoted).")
    }

    private mutating func expect(_ symbol: String) throws(ProtoError) {
        guard tryConsume(symbol) else { throw fail("\"\(symbol)\"") }
    }

    private mutating func identifier(_ what: String = "identifier") throws(ProtoError) -> Token {
        guard current.kind == .identifier else { throw fail(what) }
        return next()
    }

    /// A possibly dotted name: `foo.bar.Baz` or `.foo.Bar`.
    private mutating func typeName() throws(ProtoError) -> (String, Token) {
        let start = current
        var name = ""
        if tryConsume(".") { name = "." }
        name += try identifier("type name").text
        while tryConsume(".") {
            name += "." + (try identifier().text)
        }
        return (name, start)
    }

    private mutating func stringLiteral(_ what: String = "string") throws(ProtoError) -> [UInt8] {
        guard current.kind == .string else { throw fail(what) }
        var bytes = next().bytes
        // Adjacent string literals concatenate, as in C.
        while current.kind == .string { bytes += next().bytes }
        return bytes
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - File

    private mutating func parseFile() throws(ProtoError) -> ParsedFile {
        file.name = fileName
        let fileLocation = here
        if at("syntax") {
            let syntaxToken = next()
            try expect("=")
            let valueToken = current
            let syntax = Self.text(try stringLiteral("syntax identifier"))
            try expect(";")
            switch syntax {
            case "proto2": break
            case "proto3":
                isProto3 = true
                file.syntax = "proto3"
            default:
                throw ProtoError(
                    .syntax, at: location(of: valueToken),
                    "Unrecognized syntax identifier \"\(syntax)\". This parser only recognizes \"proto2\" and \"proto3\"."
                )
            }
            locations[[12]] = location(of: syntaxToken)
        } else if at("edition") {
            throw ProtoError(
                .editionsUnsupported, at: here,
                "Editions files (edition = ...) are not supported: declare syntax = \"proto2\" or \"proto3\".")
        }

        var messageIndex: Int32 = 0
        var enumIndex: Int32 = 0
        var serviceIndex: Int32 = 0
        var extensionIndex: Int32 = 0
        var sawPackage = false
        while current.kind != .end {
            if tryConsume(";") { continue }
            if at("edition") {
                throw ProtoError(
                    .editionsUnsupported, at: here,
                    "Editions files (edition = ...) are not supported: declare syntax = \"proto2\" or \"proto3\".")
            }
            if at("syntax") {
                throw ProtoError(.syntax, at: here, "Syntax must be the first statement in a file.")
            }
            if at("package") {
                let token = next()
                if sawPackage {
                    throw ProtoError(.syntax, at: location(of: token), "Multiple package definitions.")
                }
                sawPackage = true
                let (name, _) = try typeName()
                if name.hasPrefix(".") { throw ProtoError(.syntax, at: location(of: token), "Expected identifier.") }
                file.package = name
                locations[[2]] = location(of: token)
                try expect(";")
            } else if at("import") {
                let token = next()
                if tryConsume("public") {
                    file.publicDependency.append(Int32(file.dependency.count))
                } else if tryConsume("weak") {
                    file.weakDependency.append(Int32(file.dependency.count))
                }
                let pathToken = current
                let path = Self.text(try stringLiteral("a string naming the file to import"))
                try expect(";")
                importLocations.append(location(of: pathToken))
                locations[[3, Int32(file.dependency.count)]] = location(of: token)
                file.dependency.append(path)
            } else if at("option") {
                _ = next()
                var options = file.options
                try parseOptionStatement(
                    owner: [8], kind: .file,
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
                file.options = options
            } else if at("message") {
                _ = next()
                let message = try parseMessage(path: [4, messageIndex])
                file.messageType.append(message)
                messageIndex += 1
            } else if at("enum") {
                _ = next()
                file.enumType.append(try parseEnum(path: [5, enumIndex]))
                enumIndex += 1
            } else if at("service") {
                _ = next()
                file.service.append(try parseService(path: [6, serviceIndex]))
                serviceIndex += 1
            } else if at("extend") {
                _ = next()
                let fields = try parseExtend(basePath: [7], firstIndex: extensionIndex)
                file.extension.append(contentsOf: fields)
                extensionIndex += Int32(fields.count)
            } else {
                throw fail("top-level statement (e.g. \"message\")")
            }
        }
        return ParsedFile(
            proto: file, locations: locations.table, importLocations: importLocations,
            customOptions: customOptions, fileLocation: fileLocation)
    }

    // MARK: - Messages

    private mutating func parseMessage(path: [Int32]) throws(ProtoError) -> Google_Protobuf_DescriptorProto {
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
    private static func resolveMax(_ message: inout Google_Protobuf_DescriptorProto) {
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
    private var nesting = 0

    /// The statements of a message up to and including its closing brace.
    private mutating func parseMessageBody(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
        throws(ProtoError)
    {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maxNesting {
            throw ProtoError(.syntax, at: here, "Messages nest more than \(Self.maxNesting) levels deep.")
        }
        while !tryConsume("}") {
            if current.kind == .end { throw fail("\"}\"") }
            if tryConsume(";") { continue }
            if at("message") {
                _ = next()
                let nested = try parseMessage(path: path + [3, Int32(message.nestedType.count)])
                message.nestedType.append(nested)
            } else if at("enum") {
                _ = next()
                message.enumType.append(try parseEnum(path: path + [4, Int32(message.enumType.count)]))
            } else if at("option") {
                _ = next()
                var options = message.options
                try parseOptionStatement(
                    owner: path + [7], kind: .message,
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
                message.options = options
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

    private static let scalarTypes: [String: Google_Protobuf_FieldDescriptorProto.TypeEnum] = [
        "double": .double, "float": .float, "int64": .int64, "uint64": .uint64, "int32": .int32,
        "fixed64": .fixed64, "fixed32": .fixed32, "bool": .bool, "string": .string, "bytes": .bytes,
        "uint32": .uint32, "sfixed32": .sfixed32, "sfixed64": .sfixed64, "sint32": .sint32, "sint64": .sint64,
    ]

    /// A field, group or map field of a message (or, with `extendee`, of an `extend` block).
    private mutating func parseField(
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
    private mutating func parseFieldCommon(
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
            addNested(entry)
            return field
        }

        if let label {
            field.label = label
        } else if isProto3 || inOneof {
            field.label = .optional
        } else {
            throw fail("\"required\", \"optional\", or \"repeated\"")
        }
        if label == .optional && isProto3 && !inOneof { field.proto3Optional = true }

        if at("group") && tokens[index + 1].kind == .identifier {
            let groupToken = next()
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
    private mutating func fieldNumber() throws(ProtoError) -> Int32 {
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

    private mutating func parseOneof(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32]) throws(ProtoError)
    {
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
        while !tryConsume("}") {
            if current.kind == .end { throw fail("\"}\"") }
            if tryConsume(";") { continue }
            if at("option") {
                _ = next()
                var options = message.oneofDecl[Int(oneofIndex)].options
                try parseOptionStatement(
                    owner: oneofPath + [2], kind: .oneof,
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
                message.oneofDecl[Int(oneofIndex)].options = options
                continue
            }
            try parseField(into: &message, path: path, oneofIndex: oneofIndex)
            memberCount += 1
        }
        if memberCount == 0 {
            throw ProtoError(.invalidDefinition, at: location(of: nameToken), "Oneof must have at least one field.")
        }
    }

    private mutating func parseExtensions(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
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

    private mutating func parseReserved(_ message: inout Google_Protobuf_DescriptorProto, path: [Int32])
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

    private mutating func parseExtend(basePath: [Int32], firstIndex: Int32) throws(ProtoError)
        -> [Google_Protobuf_FieldDescriptorProto]
    {
        let extendeeToken = current
        let (extendee, _) = try typeName()
        try expect("{")
        var fields: [Google_Protobuf_FieldDescriptorProto] = []
        // Groups declared in an extend block become nested types of the enclosing scope; they are collected here
        // and handed to the caller through `pendingExtendGroups`.
        while !tryConsume("}") {
            if current.kind == .end { throw fail("\"}\"") }
            if tryConsume(";") { continue }
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

    // MARK: - Enums

    private mutating func parseEnum(path: [Int32]) throws(ProtoError) -> Google_Protobuf_EnumDescriptorProto {
        let nameToken = try identifier("enum name")
        var enumProto = Google_Protobuf_EnumDescriptorProto()
        enumProto.name = nameToken.text
        locations[path] = location(of: nameToken)
        locations[path + [1]] = location(of: nameToken)
        try expect("{")
        while !tryConsume("}") {
            if current.kind == .end { throw fail("\"}\"") }
            if tryConsume(";") { continue }
            if at("option") {
                _ = next()
                var options = enumProto.options
                try parseOptionStatement(
                    owner: path + [3], kind: .enum,
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
                enumProto.options = options
            } else if at("reserved") {
                _ = next()
                if current.kind == .string {
                    repeat {
                        let token = current
                        let name = Self.text(try stringLiteral())
                        locations[path + [5, Int32(enumProto.reservedName.count)]] = location(of: token)
                        enumProto.reservedName.append(name)
                    } while tryConsume(",")
                } else {
                    repeat {
                        let token = current
                        let start = try enumNumber()
                        var end = start
                        if tryConsume("to") {
                            end = tryConsume("max") ? Int32.max : try enumNumber()
                        }
                        var range = Google_Protobuf_EnumDescriptorProto.EnumReservedRange()
                        range.start = start
                        range.end = end
                        locations[path + [4, Int32(enumProto.reservedRange.count)]] = location(of: token)
                        enumProto.reservedRange.append(range)
                    } while tryConsume(",")
                }
                try expect(";")
            } else {
                let valuePath = path + [2, Int32(enumProto.value.count)]
                let valueName = try identifier("enum constant name")
                try expect("=")
                let numberToken = current
                var value = Google_Protobuf_EnumValueDescriptorProto()
                value.name = valueName.text
                value.number = try enumNumber()
                locations[valuePath] = location(of: valueName)
                locations[valuePath + [1]] = location(of: valueName)
                locations[valuePath + [2]] = location(of: numberToken)
                if at("[") {
                    _ = next()
                    var options = value.options
                    repeat {
                        try parseOption(
                            owner: valuePath + [3], kind: .enumValue, terminator: "]",
                            apply: { (bytes: [UInt8]) throws in
                                try options.merge(serializedBytes: bytes)
                            })
                    } while tryConsume(",")
                    try expect("]")
                    value.options = options
                }
                try expect(";")
                enumProto.value.append(value)
            }
        }
        return enumProto
    }

    /// An enum number: an optionally negative integer that fits in int32.
    private mutating func enumNumber() throws(ProtoError) -> Int32 {
        let negative = tryConsume("-")
        let token = current
        guard token.kind == .integer else { throw fail("integer") }
        _ = next()
        guard let magnitude = Self.integerValue(token.text),
            magnitude <= (negative ? UInt64(Int32.max) + 1 : UInt64(Int32.max))
        else {
            throw ProtoError(.numberOutOfRange, at: location(of: token), "Integer out of range.")
        }
        return negative ? Int32(truncatingIfNeeded: 0 &- Int64(magnitude)) : Int32(magnitude)
    }

    // MARK: - Services

    private mutating func parseService(path: [Int32]) throws(ProtoError) -> Google_Protobuf_ServiceDescriptorProto {
        let nameToken = try identifier("service name")
        var service = Google_Protobuf_ServiceDescriptorProto()
        service.name = nameToken.text
        locations[path] = location(of: nameToken)
        locations[path + [1]] = location(of: nameToken)
        try expect("{")
        while !tryConsume("}") {
            if current.kind == .end { throw fail("\"}\"") }
            if tryConsume(";") { continue }
            if at("option") {
                _ = next()
                var options = service.options
                try parseOptionStatement(
                    owner: path + [3], kind: .service,
                    apply: { (bytes: [UInt8]) throws in
                        try options.merge(serializedBytes: bytes)
                    })
                service.options = options
            } else if at("rpc") {
                _ = next()
                let methodPath = path + [2, Int32(service.method.count)]
                var method = Google_Protobuf_MethodDescriptorProto()
                let methodName = try identifier("method name")
                method.name = methodName.text
                locations[methodPath] = location(of: methodName)
                locations[methodPath + [1]] = location(of: methodName)
                try expect("(")
                if at("stream") && tokens[index + 1].text != ")" {
                    _ = next()
                    method.clientStreaming = true
                }
                let inputToken = current
                method.inputType = try typeName().0
                locations[methodPath + [2]] = location(of: inputToken)
                try expect(")")
                try expect("returns")
                try expect("(")
                if at("stream") && tokens[index + 1].text != ")" {
                    _ = next()
                    method.serverStreaming = true
                }
                let outputToken = current
                method.outputType = try typeName().0
                locations[methodPath + [3]] = location(of: outputToken)
                try expect(")")
                if tryConsume("{") {
                    var options = method.options
                    while !tryConsume("}") {
                        if current.kind == .end { throw fail("\"}\"") }
                        if tryConsume(";") { continue }
                        guard at("option") else { throw fail("\"option\" or \"}\"") }
                        _ = next()
                        try parseOptionStatement(
                            owner: methodPath + [4], kind: .method,
                            apply: { (bytes: [UInt8]) throws in
                                try options.merge(serializedBytes: bytes)
                            })
                    }
                    method.options = options
                    _ = tryConsume(";")
                } else {
                    try expect(";")
                }
                service.method.append(method)
            } else {
                throw fail("\"rpc\", \"option\" or \"}\"")
            }
        }
        return service
    }

    // MARK: - Options

    /// `option name = value;` (the `option` keyword already consumed).
    private mutating func parseOptionStatement(
        owner: [Int32], kind: OptionKind, apply: (_ bytes: [UInt8]) throws -> Void
    ) throws(ProtoError) {
        try parseOption(owner: owner, kind: kind, terminator: ";", apply: apply)
        try expect(";")
    }

    /// Field options in brackets, with the special `default` and `json_name` pseudo-options.
    private mutating func parseFieldOptions(_ field: inout Google_Protobuf_FieldDescriptorProto, path: [Int32])
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
    private mutating func parseDefault(for field: Google_Protobuf_FieldDescriptorProto) throws(ProtoError) -> String {
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
    private mutating func parseOption(
        owner: [Int32], kind: OptionKind, terminator: String, apply: (_ bytes: [UInt8]) throws -> Void
    ) throws(ProtoError) {
        let nameToken = current
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
        try BuiltinOptions.apply(
            name: name, value: value, kind: kind, at: loc, valueLocation: location(of: valueToken),
            seen: &builtinSeen[owner, default: []], apply: apply)
    }

    private var builtinSeen: [[Int32]: Set<String>] = [:]

    private mutating func parseOptionValue() throws(ProtoError) -> OptionValue {
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
    private mutating func aggregateText() throws(ProtoError) -> String {
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

/// The parser's table of element locations; when disabled it records nothing (a compilation that needs no
/// locations keeps no table).
private struct LocationRecorder {
    let enabled: Bool
    private(set) var table: [[Int32]: SourceLocation] = [:]

    init(enabled: Bool) {
        self.enabled = enabled
    }

    subscript(path: [Int32]) -> SourceLocation? {
        get { table[path] }
        set {
            guard enabled else { return }
            table[path] = newValue
        }
    }
}
