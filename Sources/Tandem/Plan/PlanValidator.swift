import TandemProto

/// Checks a plan against its two schemas and resolves the whitelist (DESIGN 3: a plan that names a field, path,
/// message or value that does not exist, or a convert whose types do not fit, is rejected at load).
struct PlanValidator {
    let v1: PlanSchema
    let v2: PlanSchema
    let converts: ConvertRegistry
    /// Full names of v1 fields (top-level and nested) whose v2 source differs in presence discipline.
    private(set) var mixedPresence: Set<String> = []
    private var visitedPairs: Set<String> = []

    init(v1: PlanSchema, v2: PlanSchema, converts: ConvertRegistry) {
        self.v1 = v1
        self.v2 = v2
        self.converts = converts
    }

    // MARK: Messages and key

    func resolveMessages() throws(PlanError) -> (MessageDescriptor, MessageDescriptor) {
        guard let v1Message = v1.schema.message(named: v1.messageName) else {
            throw PlanError(
                .notFound, entry: "v1.message", anchor: "v1.message",
                reason: "message \(v1.messageName) is not defined in the v1 schema\(Self.fileList(v1.files))")
        }
        guard let v2Message = v2.schema.message(named: v2.messageName) else {
            throw PlanError(
                .notFound, entry: "v2.message", anchor: "v2.message",
                reason: "message \(v2.messageName) is not defined in the v2 schema\(Self.fileList(v2.files))")
        }
        return (v1Message, v2Message)
    }

    func checkKey(_ key: FieldPath, in v2Message: MessageDescriptor) throws(PlanError) {
        let fields = try walkV2(key, from: v2Message, entry: "key", anchor: "key")
        let last = fields[fields.count - 1]
        if last.isRepeated || last.type.isMessage {
            throw PlanError(
                .typeMismatch, entry: "key", anchor: "key",
                reason: "the key must be a singular scalar v2 field, but \(key) is \(describe(last, in: v2.schema))")
        }
    }

    // MARK: Numbers

    static func checkNumbers(
        compare: CompareOptions, gate: GateConfiguration, breaker: BreakerConfiguration, sampleRate: Double
    ) throws(PlanError) {
        func fail(_ key: String, _ requirement: String, _ value: any CustomStringConvertible) -> PlanError {
            PlanError(.outOfRange, entry: key, anchor: key, reason: "must be \(requirement), got \(value)")
        }
        let tolerance = compare.floatTolerance
        guard tolerance.isFinite, tolerance >= 0 else { throw fail("compare.float_tolerance", ">= 0", tolerance) }
        guard gate.minConsistency > 0, gate.minConsistency < 1 else {
            throw fail("gate.min_consistency", "between 0 and 1 (exclusive)", gate.minConsistency)
        }
        guard gate.confidence > 0, gate.confidence < 1 else {
            throw fail("gate.confidence", "between 0 and 1 (exclusive)", gate.confidence)
        }
        guard gate.minSamples >= 1 else { throw fail("gate.min_samples", ">= 1", gate.minSamples) }
        switch gate.window {
        case .count(let count):
            guard count > 0 else { throw fail("gate.window", "> 0", count) }
        case .seconds(let seconds):
            guard seconds.isFinite, seconds > 0 else { throw fail("gate.window_seconds", "> 0", seconds) }
        }
        guard breaker.openSeconds.isFinite, breaker.openSeconds > 0 else {
            throw fail("breaker.open_seconds", "> 0", breaker.openSeconds)
        }
        guard breaker.halfOpenProbes >= 1 else {
            throw fail("breaker.half_open_probes", ">= 1", breaker.halfOpenProbes)
        }
        guard breaker.evaluationInterval >= 1 else {
            throw fail("breaker.evaluation_interval", ">= 1", breaker.evaluationInterval)
        }
        if let trip = breaker.tripConfidence, !(trip > 0 && trip < 1) {
            throw fail("breaker.trip_confidence", "between 0 and 1 (exclusive)", trip)
        }
        guard sampleRate >= 0, sampleRate <= 1 else { throw fail("sample_rate", "in [0, 1]", sampleRate) }
        // The gate's own rules (a count window must hold at least min_samples comparisons, or the breaker could
        // never trip) apply on top of the plan's ranges.
        do {
            try gate.validate()
        } catch {
            throw PlanError(
                .outOfRange, entry: error.key, anchor: error.key, reason: "\(error.requirement), got \(error.value)")
        }
    }

    // MARK: Whitelist

    mutating func resolveWhitelist(
        _ whitelist: [WhitelistEntry], v1Message: MessageDescriptor, v2Message: MessageDescriptor
    ) throws(PlanError) -> [ResolvedEntry] {
        guard !whitelist.isEmpty else {
            throw PlanError(
                .missingKey, entry: "whitelist", anchor: "whitelist",
                reason: "the whitelist is empty: name at least one v1 field the shadow keeps")
        }
        var seen: [String: Int] = [:]
        var resolved: [ResolvedEntry] = []
        for (index, entry) in whitelist.enumerated() {
            let anchor = "whitelist[\(index)]"
            let label = "\(anchor) (\(entry.field))"
            guard let v1Field = v1Message.field(named: entry.field) else {
                throw PlanError(
                    .notFound, entry: label, anchor: anchor,
                    reason: "v1 message \(v1Message.fullName) has no field \(entry.field)")
            }
            if let previous = seen[entry.field] {
                throw PlanError(
                    .conflict, entry: label, anchor: anchor,
                    reason: "v1 field \(entry.field) is already whitelisted by whitelist[\(previous)]")
            }
            seen[entry.field] = index
            let path = try walkV2(entry.sourcePath, from: v2Message, entry: label, anchor: anchor + ".from")
            let source = path[path.count - 1]
            if let reason = fieldMismatch(
                v1Field: v1Field, v1Owner: v1Message, v2Field: source, convert: entry.convert,
                sourceName: entry.sourcePath.description)
            {
                throw PlanError(
                    .typeMismatch, entry: label, anchor: entry.convert == nil ? anchor : anchor + ".convert",
                    reason: reason)
            }
            resolved.append(ResolvedEntry(index: index, v1Field: v1Field, sourcePath: path, convert: entry.convert))
        }
        return resolved
    }

    /// Why `v2Field` (through `convert`) cannot feed `v1Field`, or `nil` when it fits.
    private mutating func fieldMismatch(
        v1Field: FieldDescriptor, v1Owner: MessageDescriptor, v2Field: FieldDescriptor, convert: FieldConvert?,
        sourceName: String
    ) -> String? {
        if v1Field.isMap != v2Field.isMap || v1Field.isRepeated != v2Field.isRepeated {
            return "v1 field \(v1Field.name) is \(describe(v1Field, in: v1.schema)) but v2 field \(sourceName) is "
                + describe(v2Field, in: v2.schema)
        }
        // Presence is judged per field (DESIGN 4): when the two sides differ, only values are compared.
        if !v1Field.isRepeated && v1Field.hasPresence != v2Field.hasPresence {
            mixedPresence.insert(v1Owner.fullName + "." + v1Field.name)
        }
        if v1Field.isMap {
            guard let v1Entry = v1.schema.messageType(of: v1Field), let v2Entry = v2.schema.messageType(of: v2Field),
                v1Entry.fields.count == 2, v2Entry.fields.count == 2
            else { return "map entry types do not resolve" }
            if kind(v1Entry.fields[0]) != kind(v2Entry.fields[0]) {
                return "v1 map \(v1Field.name) is \(describe(v1Field, in: v1.schema)) but v2 map \(sourceName) is "
                    + describe(v2Field, in: v2.schema) + " (map keys must be of the same kind)"
            }
            return elementMismatch(
                v1Field: v1Entry.fields[1], v1Owner: v1Entry, v1Name: v1Field.name, v2Field: v2Entry.fields[1],
                convert: convert, sourceName: sourceName)
        }
        return elementMismatch(
            v1Field: v1Field, v1Owner: v1Owner, v1Name: v1Field.name, v2Field: v2Field, convert: convert,
            sourceName: sourceName)
    }

    private mutating func elementMismatch(
        v1Field: FieldDescriptor, v1Owner: MessageDescriptor, v1Name: String, v2Field: FieldDescriptor,
        convert: FieldConvert?, sourceName: String
    ) -> String? {
        let v1Kind = kind(v1Field)
        let v2Kind = kind(v2Field)
        let v1Text = "v1 field \(v1Name) is \(describe(v1Field, in: v1.schema))"
        let v2Text = "v2 field \(sourceName) is \(describe(v2Field, in: v2.schema))"
        guard let convert else {
            guard v1Kind == v2Kind else {
                return "\(v1Text) but \(v2Text); they need a convert (string_bytes, to_string, timestamp_millis, ...)"
            }
            if v1Kind == .message, let v1Type = v1.schema.messageType(of: v1Field),
                let v2Type = v2.schema.messageType(of: v2Field)
            {
                return messageMismatch(v1Type: v1Type, v2Type: v2Type, path: sourceName)
            }
            return nil
        }
        switch convert {
        case .timestampMillis, .timestampSeconds:
            guard v2Kind == .message, v2Field.typeName == "google.protobuf.Timestamp" else {
                return "convert \(convert) needs a google.protobuf.Timestamp source, but \(v2Text)"
            }
            guard v1Kind == .integer else { return "convert \(convert) needs an integer v1 field, but \(v1Text)" }
        case .unwrap:
            guard v2Kind == .message, let typeName = v2Field.typeName, let wrapped = Self.wrappers[typeName] else {
                return "convert unwrap needs a google.protobuf.*Value source, but \(v2Text)"
            }
            guard wrapped == v1Kind else {
                return "convert unwrap of \(typeName) needs a \(wrapped) v1 field, but \(v1Text)"
            }
        case .stringBytes:
            guard v2Kind == .string else { return "convert string_bytes needs a string source, but \(v2Text)" }
            guard v1Kind == .bytes else { return "convert string_bytes needs a bytes v1 field, but \(v1Text)" }
        case .bytesString:
            guard v2Kind == .bytes else { return "convert bytes_string needs a bytes source, but \(v2Text)" }
            guard v1Kind == .string else { return "convert bytes_string needs a string v1 field, but \(v1Text)" }
        case .toString:
            guard v2Kind == .integer || v2Kind == .floating else {
                return "convert to_string needs a number source, but \(v2Text)"
            }
            guard v1Kind == .string else { return "convert to_string needs a string v1 field, but \(v1Text)" }
        case .enumMap(let map):
            guard v2Kind == .enum, let v2Enum = v2.schema.enumType(of: v2Field) else {
                return "convert enum needs an enum source, but \(v2Text)"
            }
            guard v1Kind == .enum, let v1Enum = v1.schema.enumType(of: v1Field) else {
                return "convert enum needs an enum v1 field, but \(v1Text)"
            }
            for (from, to) in map.sorted(by: { $0.key < $1.key }) {
                if v2Enum.number(named: from) == nil {
                    return "convert enum maps \(from), which is not a value of v2 enum \(v2Enum.fullName) "
                        + "(values: \(v2Enum.values.map(\.name).joined(separator: ", ")))"
                }
                if v1Enum.number(named: to) == nil {
                    return "convert enum maps \(from) to \(to), which is not a value of v1 enum \(v1Enum.fullName) "
                        + "(values: \(v1Enum.values.map(\.name).joined(separator: ", ")))"
                }
            }
        case .named(let name):
            guard converts.convert(named: name) != nil else {
                let known =
                    ["timestamp_millis", "timestamp_seconds", "unwrap", "string_bytes", "bytes_string", "to_string"]
                    + converts.names
                return "convert \(name) is neither built in nor registered (known: \(known.joined(separator: ", ")))"
            }
        }
        return nil
    }

    /// Checks the sub-fields two message types share by name (DESIGN 3: sub-fields match by name, numbers may
    /// differ, v2-only sub-fields are dropped).
    private mutating func messageMismatch(v1Type: MessageDescriptor, v2Type: MessageDescriptor, path: String)
        -> String?
    {
        // Recursive types would otherwise recurse forever; a pair checked once is checked for every path.
        guard visitedPairs.insert(v1Type.fullName + "|" + v2Type.fullName).inserted else { return nil }
        for v1Sub in v1Type.fields {
            guard let v2Sub = v2Type.field(named: v1Sub.name) else { continue }
            if let reason = fieldMismatch(
                v1Field: v1Sub, v1Owner: v1Type, v2Field: v2Sub, convert: nil, sourceName: path + "." + v2Sub.name)
            {
                return reason
            }
        }
        return nil
    }

    // MARK: Compare and redact paths

    func checkComparePaths(compare: CompareOptions, redact: [FieldPath], in v1Message: MessageDescriptor)
        throws(PlanError)
    {
        for (index, path) in compare.ignore.enumerated() {
            _ = try walkV1(path, from: v1Message, anchor: "compare.ignore[\(index)]")
        }
        for (index, path) in compare.unordered.enumerated() {
            let anchor = "compare.unordered[\(index)]"
            let last = try walkV1(path, from: v1Message, anchor: anchor)
            if !last.isRepeated || last.isMap {
                throw PlanError(
                    .typeMismatch, entry: "\(anchor) (\(path))", anchor: anchor,
                    reason: "unordered needs a repeated field, but v1 field \(path) is \(describe(last, in: v1.schema))"
                )
            }
        }
        for (index, path) in redact.enumerated() {
            _ = try walkV1(path, from: v1Message, anchor: "redact[\(index)]")
        }
    }

    // MARK: Paths

    /// The v2 fields along `path`; every field but the last must be a singular message field.
    private func walkV2(_ path: FieldPath, from root: MessageDescriptor, entry: String, anchor: String)
        throws(PlanError) -> [FieldDescriptor]
    {
        var message = root
        var fields: [FieldDescriptor] = []
        for (position, name) in path.components.enumerated() {
            guard let field = message.field(named: name) else {
                throw PlanError(
                    .notFound, entry: entry, anchor: anchor,
                    reason: "v2 path \(path): message \(message.fullName) has no field \(name.isEmpty ? "\"\"" : name)")
            }
            fields.append(field)
            if position < path.components.count - 1 {
                guard !field.isRepeated, field.type.isMessage, let next = v2.schema.messageType(of: field) else {
                    throw PlanError(
                        .typeMismatch, entry: entry, anchor: anchor,
                        reason: "v2 path \(path): \(name) is \(describe(field, in: v2.schema)); a path passes only "
                            + "through singular message fields")
                }
                message = next
            }
        }
        return fields
    }

    /// The last v1 field of `path`; repeated and map fields of message type may be passed through.
    private func walkV1(_ path: FieldPath, from root: MessageDescriptor, anchor: String) throws(PlanError)
        -> FieldDescriptor
    {
        var message = root
        var last: FieldDescriptor? = nil
        for (position, name) in path.components.enumerated() {
            guard let field = message.field(named: name) else {
                throw PlanError(
                    .notFound, entry: "\(anchor) (\(path))", anchor: anchor,
                    reason: "v1 path \(path): message \(message.fullName) has no field \(name.isEmpty ? "\"\"" : name)")
            }
            last = field
            if position < path.components.count - 1 {
                var nextType = v1.schema.messageType(of: field)
                if field.isMap, let entryType = nextType, entryType.fields.count == 2 {
                    nextType = v1.schema.messageType(of: entryType.fields[1])
                }
                guard let next = nextType else {
                    throw PlanError(
                        .typeMismatch, entry: "\(anchor) (\(path))", anchor: anchor,
                        reason: "v1 path \(path): \(name) is \(describe(field, in: v1.schema)), not a message")
                }
                message = next
            }
        }
        guard let last else {
            throw PlanError(.notFound, entry: anchor, anchor: anchor, reason: "empty path")
        }
        return last
    }

    // MARK: Types

    enum Kind: String {
        case integer, floating, bool, string, bytes, `enum`, message
    }

    static let wrappers: [String: Kind] = [
        "google.protobuf.DoubleValue": .floating, "google.protobuf.FloatValue": .floating,
        "google.protobuf.Int64Value": .integer, "google.protobuf.UInt64Value": .integer,
        "google.protobuf.Int32Value": .integer, "google.protobuf.UInt32Value": .integer,
        "google.protobuf.BoolValue": .bool, "google.protobuf.StringValue": .string,
        "google.protobuf.BytesValue": .bytes,
    ]

    func kind(_ field: FieldDescriptor) -> Kind {
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .fixed32, .fixed64, .sfixed32, .sfixed64:
            return .integer
        case .float, .double: return .floating
        case .bool: return .bool
        case .string: return .string
        case .bytes: return .bytes
        case .enum: return .enum
        case .message, .group: return .message
        }
    }

    func describe(_ field: FieldDescriptor, in schema: Schema) -> String {
        if field.isMap, let entry = schema.messageType(of: field), entry.fields.count == 2 {
            return "map<\(describeElement(entry.fields[0])), \(describeElement(entry.fields[1]))>"
        }
        return (field.isRepeated ? "repeated " : "") + describeElement(field)
    }

    private func describeElement(_ field: FieldDescriptor) -> String {
        switch field.type {
        case .message, .group: return field.typeName ?? "message"
        case .enum: return "enum " + (field.typeName ?? "")
        default: return field.type.protoName
        }
    }

    private static func fileList(_ files: [String]) -> String {
        files.isEmpty ? "" : " (\(files.joined(separator: ", ")))"
    }
}
