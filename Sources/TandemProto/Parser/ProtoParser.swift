import SwiftProtobuf

/// Parses the text of one `.proto` file (proto2, proto3, or editions 2023 and 2024) into an unlinked `FileDescriptorProto`, following
/// the grammar of protobuf's language specifications and protoc's parser where they leave room.
struct ProtoParser {
    var tokens: [Token]
    var index = 0
    let fileName: String
    var file = Google_Protobuf_FileDescriptorProto()
    var locations: LocationRecorder
    var importLocations: [SourceLocation] = []
    var optionImportLocations: [SourceLocation] = []
    var customOptions: [PendingOption] = []
    var isProto3 = false
    /// Features with source retention (left out of descriptors), by the path of the options that set them.
    var sourceFeatures: [[Int32]: Google_Protobuf_FeatureSet] = [:]
    /// The file's edition; `nil` for proto2 and proto3 files.
    var edition: Google_Protobuf_Edition? = nil
    /// How deep the message being parsed is nested (see ``maxNesting``).
    var nesting = 0
    /// The built-in options already set, by owner path (each may be set once).
    var builtinSeen: [[Int32]: Set<String>] = [:]

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

    init(tokens: [Token], fileName: String, recordsLocations: Bool) {
        self.tokens = tokens
        self.fileName = fileName
        locations = LocationRecorder(enabled: recordsLocations)
    }

    // MARK: - Token helpers

    var current: Token { tokens[index] }

    func location(of token: Token) -> SourceLocation {
        SourceLocation(file: fileName, line: token.line + 1, column: token.column + 1)
    }

    var here: SourceLocation { location(of: current) }

    mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func at(_ symbol: String) -> Bool {
        (current.kind == .symbol || current.kind == .identifier) && current.text == symbol
    }

    mutating func tryConsume(_ symbol: String) -> Bool {
        if at(symbol) {
            _ = next()
            return true
        }
        return false
    }

    /// Moves to the next statement of a `{ ... }` block: false after its closing brace, skipping empty statements;
    /// a file that ends inside the block is an error.
    mutating func nextStatement() throws(ProtoError) -> Bool {
        while true {
            if tryConsume("}") { return false }
            if current.kind == .end { throw fail("\"}\"") }
            if !tryConsume(";") { return true }
        }
    }

    /// Reads a block's name and its opening brace, recording the name's location for the element at `path`.
    mutating func blockName(_ what: String, path: [Int32]) throws(ProtoError) -> String {
        let nameToken = try identifier(what)
        locations[path] = location(of: nameToken)
        locations[path + [1]] = location(of: nameToken)
        try expect("{")
        return nameToken.text
    }

    func fail(_ expected: String) -> ProtoError {
        ProtoError(.syntax, at: here, "Expected \(expected), found \(current.quoted).")
    }

    mutating func expect(_ symbol: String) throws(ProtoError) {
        guard tryConsume(symbol) else { throw fail("\"\(symbol)\"") }
    }

    mutating func identifier(_ what: String = "identifier") throws(ProtoError) -> Token {
        guard current.kind == .identifier else { throw fail(what) }
        return next()
    }

    /// A possibly dotted name: `foo.bar.Baz` or `.foo.Bar`.
    mutating func typeName() throws(ProtoError) -> (String, Token) {
        let start = current
        var name = ""
        if tryConsume(".") { name = "." }
        name += try identifier("type name").text
        while tryConsume(".") {
            name += "." + (try identifier().text)
        }
        return (name, start)
    }

    mutating func stringLiteral(_ what: String = "string") throws(ProtoError) -> [UInt8] {
        guard current.kind == .string else { throw fail(what) }
        var bytes = next().bytes
        // Adjacent string literals concatenate, as in C.
        while current.kind == .string { bytes += next().bytes }
        return bytes
    }

    /// The editions this compiler knows, by the name an `edition` statement gives them (protoc's, grpcio-tools
    /// 1.85: 2023 and 2024).
    static let editions: [String: Google_Protobuf_Edition] = ["2023": .edition2023, "2024": .edition2024]

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - File

    mutating func parseFile() throws(ProtoError) -> ParsedFile {
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
            let editionToken = next()
            try expect("=")
            let valueToken = current
            let name = Self.text(try stringLiteral("edition"))
            try expect(";")
            guard let edition = Self.editions[name] else {
                throw ProtoError(.syntax, at: location(of: valueToken), "Unknown edition \"\(name)\".")
            }
            self.edition = edition
            file.syntax = "editions"
            file.edition = edition
            locations[[14]] = location(of: editionToken)
        }

        var messageIndex: Int32 = 0
        var enumIndex: Int32 = 0
        var serviceIndex: Int32 = 0
        var extensionIndex: Int32 = 0
        var sawPackage = false
        while current.kind != .end {
            if tryConsume(";") { continue }
            if at("syntax") || at("edition") {
                if at("edition") {
                    throw ProtoError(.syntax, at: here, "Edition must be the first statement in a file.")
                }
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
                if at("option") {
                    // Edition 2024's option imports: files whose extensions only options use.
                    guard let edition, edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue else {
                        throw ProtoError(.syntax, at: here, "option import is not supported before edition 2024.")
                    }
                    _ = next()
                    let pathToken = current
                    let path = Self.text(try stringLiteral("a string naming the file to import"))
                    try expect(";")
                    optionImportLocations.append(location(of: pathToken))
                    file.optionDependency.append(path)
                    continue
                }
                if tryConsume("public") {
                    file.publicDependency.append(Int32(file.dependency.count))
                } else if at("weak") {
                    if let edition, edition.rawValue >= Google_Protobuf_Edition.edition2024.rawValue {
                        throw ProtoError(
                            .invalidDefinition, at: here,
                            "weak import is not supported in edition 2024 and above. Consider using option import instead."
                        )
                    }
                    _ = next()
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
                // Through a local: `file` is the parser's own, which the call mutates.
                var options = file.options
                try parseOptionStatement(into: &options, owner: [8], kind: .file)
                file.options = options
            } else if at("message") || at("enum") || at("export") || at("local") {
                let visibility = try visibilityModifier(topLevel: true)
                if tryConsume("message") {
                    var message = try parseMessage(path: [4, messageIndex])
                    if let visibility { message.visibility = visibility }
                    file.messageType.append(message)
                    messageIndex += 1
                } else if tryConsume("enum") {
                    var enumType = try parseEnum(path: [5, enumIndex])
                    if let visibility { enumType.visibility = visibility }
                    file.enumType.append(enumType)
                    enumIndex += 1
                } else {
                    throw fail("top-level statement (e.g. \"message\")")
                }
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
            optionImportLocations: optionImportLocations,
            customOptions: customOptions, fileLocation: fileLocation, sourceFeatures: sourceFeatures)
    }
}
