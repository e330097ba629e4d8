/// Parses an aggregate option value (`{ a: 1 b: [2, 3] c { d: "x" } }`, protobuf text format) into a
/// ``DynamicMessage`` of the option's message type, checking every field name and value against the schema.
struct AggregateParser {
    private var tokens: [Token]
    private var index = 0
    private let schema: Schema
    private let location: SourceLocation
    private let resolveExtension: (String, MessageDescriptor) -> FieldDescriptor?
    private var depth = 0
    private var sawComment = false

    /// `text` is the aggregate with its braces; errors are reported at `location` (the option's value).
    init(
        text: String, schema: Schema, location: SourceLocation,
        resolveExtension: @escaping (String, MessageDescriptor) -> FieldDescriptor?
    ) throws(ProtoError) {
        var tokenizer = Tokenizer(Array(text.utf8), file: location.file)
        do {
            tokens = try tokenizer.tokenize()
        } catch {
            throw ProtoError(.invalidOption, at: location, "Error while parsing option value: \(error.message)")
        }
        self.schema = schema
        self.location = location
        self.resolveExtension = resolveExtension
    }

    private var current: Token { tokens[index] }
    private mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }
    private func at(_ text: String) -> Bool { current.kind != .string && current.kind != .end && current.text == text }
    private mutating func consume(_ text: String) -> Bool {
        if at(text) {
            _ = next()
            return true
        }
        return false
    }
    private func fail(_ message: String) -> ProtoError {
        ProtoError(.invalidOption, at: location, "Error while parsing option value: \(message)")
    }

    /// The whole aggregate, braces included.
    mutating func parse(as type: MessageDescriptor) throws(ProtoError) -> DynamicMessage {
        guard consume("{") else { throw fail("expected \"{\"") }
        let message = try parseFields(type, until: "}")
        guard current.kind == .end else { throw fail("unexpected \(current.quoted) after the value") }
        return message
    }

    /// One message value or a `[...]` list of them for `field` (the `:` is optional before a message), appended to
    /// `message`.
    private mutating func appendMessages(_ field: FieldDescriptor, into message: inout DynamicMessage)
        throws(ProtoError)
    {
        _ = consume(":")
        guard consume("[") else { return try appendMessage(field, into: &message) }
        while !consume("]") {
            try appendMessage(field, into: &message)
            if !at("]") && !consume(",") { throw fail("expected \",\" or \"]\"") }
        }
    }

    /// `[pkg.ext]: value` (or a message value) inside an aggregate: encoded as the extension field and kept with the
    /// message's other extension bytes, which serialize after its declared fields as protoc writes them.
    private mutating func parseExtensionValue(_ ext: FieldDescriptor, into message: inout DynamicMessage)
        throws(ProtoError)
    {
        var holder = DynamicMessage(
            descriptor: OptionHolder.descriptor(for: [ext], name: message.descriptor.fullName),
            schema: schema)
        if ext.type.isMessage {
            try appendMessages(ext, into: &holder)
        } else {
            guard consume(":") else { throw fail("expected \":\" after [\(ext.name)]") }
            var values: [ProtoValue] = []
            if consume("[") {
                guard ext.isRepeated else { throw fail("extension \"\(ext.name)\" is not repeated") }
                while !consume("]") {
                    values.append(try scalar(for: ext))
                    if !at("]") && !consume(",") { throw fail("expected \",\" or \"]\"") }
                }
            } else {
                values.append(try scalar(for: ext))
            }
            do {
                for value in values {
                    if ext.isRepeated {
                        try holder.append(value, to: ext.number)
                    } else {
                        try holder.set(ext.number, to: value)
                    }
                }
            } catch {
                throw fail(error.description)
            }
        }
        message.unknownFields = OptionHolder.sortedByNumber(message.unknownFields + holder.serializedBytes())
    }

    private mutating func parseFields(_ type: MessageDescriptor, until close: String) throws(ProtoError)
        -> DynamicMessage
    {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw fail("value nests too deeply") }
        var message = DynamicMessage(descriptor: type, schema: schema)
        var seen: Set<Int32> = []
        while !consume(close) {
            if at("#") {
                // protoc joins an aggregate's tokens into one line, so `#` comments out the rest of the aggregate.
                index = tokens.count - 1
                sawComment = true
            }
            if current.kind == .end {
                if sawComment && depth == 1 { break }
                throw fail("expected \"\(close)\"")
            }
            let field: FieldDescriptor
            if consume("[") {
                var name = ""
                while !at("]") {
                    if current.kind == .end { throw fail("expected \"]\"") }
                    name += next().text
                }
                _ = next()
                if name.contains("/") {
                    try parseAnyExpansion(url: name, into: &message)
                    _ = consume(",") || consume(";")
                    continue
                }
                guard let ext = resolveExtension(name, type) else {
                    throw fail("extension \"\(name)\" of \(type.fullName) is not defined or not imported")
                }
                try parseExtensionValue(ext, into: &message)
                _ = consume(",") || consume(";")
                continue
            } else {
                guard current.kind == .identifier else { throw fail("expected a field name, found \(current.quoted)") }
                let name = next().text
                // Groups are named by their type name in text format.
                guard
                    let found = type.field(named: name)
                        ?? type.fields.first(where: { $0.type == .group && schema.messageType(of: $0)?.name == name })
                else {
                    throw fail("message type \"\(type.fullName)\" has no field named \"\(name)\"")
                }
                field = found
            }
            if !field.isRepeated && !seen.insert(field.number).inserted {
                throw fail("non-repeated field \"\(field.name)\" is specified multiple times")
            }
            if field.type.isMessage {
                try appendMessages(field, into: &message)
            } else {
                guard consume(":") else { throw fail("expected \":\" after \(field.name)") }
                if consume("[") {
                    guard field.isRepeated else { throw fail("field \"\(field.name)\" is not repeated") }
                    while !consume("]") {
                        let value = try scalar(for: field)
                        do { try message.append(value, to: field.number) } catch { throw fail(error.description) }
                        if !at("]") && !consume(",") { throw fail("expected \",\" or \"]\"") }
                    }
                } else {
                    let value = try scalar(for: field)
                    do { try message.store(value, in: field) } catch { throw fail(error.description) }
                }
            }
            _ = consume(",") || consume(";")
        }
        return message
    }

    private mutating func appendMessage(_ field: FieldDescriptor, into message: inout DynamicMessage) throws(ProtoError)
    {
        guard let type = schema.messageType(of: field) else {
            throw fail("field \"\(field.name)\" has no message type")
        }
        let value = try delimitedMessage(type, expected: "expected \"{\" for \(field.name)")
        do {
            if field.isMap {
                let key = value.get(1) ?? .int32(0)
                let mapValue = value.get(2) ?? .int32(0)
                try message.setMapValue(mapValue, forKey: key, in: field.number)
            } else {
                try message.store(.message(value), in: field)
            }
        } catch {
            throw fail(error.description)
        }
    }

    /// A message of `type` between `{ }` or `< >`; `expected` is the error when neither opens it.
    private mutating func delimitedMessage(_ type: MessageDescriptor, expected: String) throws(ProtoError)
        -> DynamicMessage
    {
        if consume("{") { return try parseFields(type, until: "}") }
        if consume("<") { return try parseFields(type, until: ">") }
        throw fail(expected)
    }

    /// `[type.googleapis.com/pkg.Msg] { ... }` inside a `google.protobuf.Any`.
    private mutating func parseAnyExpansion(url: String, into message: inout DynamicMessage) throws(ProtoError) {
        guard message.descriptor.fullName == "google.protobuf.Any" else {
            throw fail("type URL \"\(url)\" is only allowed in a google.protobuf.Any")
        }
        let typeName = String(url[url.index(after: url.lastIndex(of: "/") ?? url.startIndex)...])
        guard let type = schema.message(named: typeName) else {
            throw fail("type \"\(typeName)\" of \"\(url)\" is not defined")
        }
        _ = consume(":")
        let value = try delimitedMessage(type, expected: "expected \"{\" after \"[\(url)]\"")
        do {
            try message.set(1, to: .string(url))
            try message.set(2, to: .bytes(value.serializedBytes()))
        } catch {
            throw fail(error.description)
        }
    }

    private mutating func scalar(for field: FieldDescriptor) throws(ProtoError) -> ProtoValue {
        let negative = consume("-")
        let token = current
        let value: OptionValue
        switch token.kind {
        case .identifier:
            _ = next()
            value = .identifier(token.text, negative: negative)
        case .integer:
            _ = next()
            value = .integer(text: token.text, negative: negative)
        case .float:
            _ = next()
            value = .float(text: token.text, negative: negative)
        case .string where !negative:
            var bytes = next().bytes
            while current.kind == .string { bytes += next().bytes }
            value = .string(bytes)
        default:
            throw fail("expected a value for \(field.name), found \(token.quoted)")
        }
        return try OptionValueConversion.convert(
            value, to: field, schema: schema, optionName: field.name, at: location,
            inAggregate: true)
    }
}
