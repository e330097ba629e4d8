import TandemProto

/// A plan's whitelist run backwards: legacy v1 records turned into v2 records, for `backfill --direction v1-to-v2`
/// (DESIGN 11).
///
/// Renames and moves run back to their v2 paths, `timestamp_millis` and `timestamp_seconds` become Timestamps again,
/// `unwrap` wraps, enum maps run back, integers widen (and narrow only when the value fits), sub-messages map by
/// sub-field name; v2-only fields stay unset. A plan inverts when, for every v1 record, projecting the built v2 record
/// gives the v1 record back under the comparison rules of DESIGN 4. Entries that can never do that (a `to_string` or
/// named convert, a many-to-one enum map, two entries fed from one v2 path) make ``init(plan:)`` refuse the plan,
/// naming each entry and why. A record that one value keeps from inverting (a v1 int64 too large for its v2 int32,
/// bytes that are not UTF-8 for a v2 string) fails alone in ``invert(_:key:)``.
public struct PlanInversion: Sendable {
    /// Why one record could not be built.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The v1 path of the value that does not invert (`created_ms`, `items[2].price_cents`); `$` for the record.
        public var path: String
        /// What is wrong.
        public var reason: String

        /// Creates a failure.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "\(path): \(reason)" }
    }

    /// The plan inverted.
    public let plan: MigrationPlan
    private let projection: Projection

    /// Checks that every whitelist entry of `plan` inverts.
    ///
    /// - Throws: ``PlanInversionError`` with one ``PlanError`` (code ``PlanError/Code/notInvertible``, the plan file,
    ///   the entry's line) for every entry that does not.
    public init(plan: MigrationPlan) throws(PlanInversionError) {
        self.plan = plan
        projection = Projection(plan: plan)
        var errors: [PlanError] = []
        func refuse(_ index: Int, _ reason: String) {
            let entry = plan.resolved[index]
            var error = PlanError(
                .notInvertible, file: plan.planFile, entry: "whitelist[\(entry.index)] (\(entry.v1Field.name))",
                reason: reason)
            if entry.index < plan.whitelistLines.count { error.line = plan.whitelistLines[entry.index] }
            errors.append(error)
        }
        var sourcePaths: [(index: Int, path: [String])] = []
        for index in plan.resolved.indices {
            let entry = plan.resolved[index]
            let path = entry.sourcePath.map(\.name)
            let shown = path.joined(separator: ".")
            for earlier in sourcePaths {
                let other = plan.resolved[earlier.index].v1Field.name
                if earlier.path == path {
                    refuse(
                        index,
                        "v2 field \(shown) also feeds '\(other)': a v1 record where the two differ has no v2 record")
                } else if earlier.path.starts(with: path) || path.starts(with: earlier.path) {
                    refuse(
                        index,
                        "v2 path \(shown) overlaps \(earlier.path.joined(separator: ".")), which feeds '\(other)': "
                            + "a v1 record where the two differ has no v2 record")
                }
            }
            sourcePaths.append((index, path))
            switch entry.convert {
            case .toString:
                refuse(
                    index,
                    "to_string does not invert: a v1 string that is not the canonical decimal of a number "
                        + "(\"007\", \"abc\") has no v2 value")
            case .named(let name):
                refuse(index, "the named convert '\(name)' has no inverse")
            case nil, .enumMap:
                if entry.source.type == .enum, entry.v1Field.type == .enum,
                    let collision = enumCollision(entry)
                {
                    refuse(index, collision)
                }
            default:
                break
            }
        }
        if !errors.isEmpty { throw PlanInversionError(errors: errors) }
    }

    /// Builds the v2 record of a v1 record (decoded with the plan's v1 schema) stored under `key`: every whitelisted
    /// value carried back to its v2 path, and the plan's key path set from `key` when no entry fills it.
    ///
    /// The result is not yet checked against the v1 record; the backfiller checks it (DESIGN 11).
    public func invert(_ v1: DynamicMessage, key: String) -> Result<DynamicMessage, Failure> {
        var out = DynamicMessage(descriptor: plan.v2Message, schema: plan.v2.schema)
        do {
            for entry in plan.resolved {
                try invertEntry(entry, from: v1, into: &out)
            }
            try setKey(key, in: &out)
        } catch {
            return .failure(error)
        }
        return .success(out)
    }

    // MARK: - Entries

    private func invertEntry(_ entry: ResolvedEntry, from v1: DynamicMessage, into out: inout DynamicMessage)
        throws(Failure)
    {
        let v1Field = entry.v1Field
        let source = entry.source
        let path = v1Field.name
        if v1Field.isMap {
            let entries = v1.mapEntries(v1Field.number)
            guard !entries.isEmpty else { return }
            guard let v1Entry = plan.v1.schema.messageType(of: v1Field),
                let v2Entry = plan.v2.schema.messageType(of: source), v1Entry.fields.count == 2,
                v2Entry.fields.count == 2
            else { throw Failure(path: path, reason: "the map's entry types do not match") }
            try withContainer(for: entry, in: &out) { (container) throws(Failure) in
                for (key, value) in entries {
                    let elementPath = DiffPath.key(path, key)
                    let v2Key = try invertValue(
                        key, from: v1Entry.fields[0], to: v2Entry.fields[0], nil, path: elementPath)
                    let v2Value = try invertValue(
                        value, from: v1Entry.fields[1], to: v2Entry.fields[1], entry.convert, path: elementPath)
                    do {
                        try container.setMapValue(v2Value, forKey: v2Key, in: source.number)
                    } catch {
                        throw Failure(path: elementPath, reason: "\(error)")
                    }
                }
            }
            return
        }
        if v1Field.isRepeated {
            let values = v1.repeatedValues(v1Field.number)
            guard !values.isEmpty else { return }
            var converted: [ProtoValue] = []
            converted.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                converted.append(
                    try invertValue(value, from: v1Field, to: source, entry.convert, path: DiffPath.index(path, index)))
            }
            try withContainer(for: entry, in: &out) { (container) throws(Failure) in
                do {
                    try container.setRepeated(source.number, to: converted)
                } catch {
                    throw Failure(path: path, reason: "\(error)")
                }
            }
            return
        }
        // An absent v1 value leaves the v2 source absent: it projects back absent (explicit presence) or as the
        // default (implicit presence), which DESIGN 4 compares equal to an unset field.
        guard v1.has(v1Field.number), let value = v1.get(v1Field.number) else { return }
        let converted = try invertValue(value, from: v1Field, to: source, entry.convert, path: path)
        try withContainer(for: entry, in: &out) { (container) throws(Failure) in
            do {
                try container.set(source.number, to: converted)
            } catch {
                throw Failure(path: path, reason: "\(error)")
            }
        }
    }

    /// Runs `body` on the v2 message that holds `entry`'s source field: `out` itself for a top-level source (changed
    /// in place, no copy), else the message along the source path, built if absent and put back after.
    private func withContainer(
        for entry: ResolvedEntry, in out: inout DynamicMessage, _ body: (inout DynamicMessage) throws(Failure) -> Void
    ) throws(Failure) {
        guard entry.sourcePath.count > 1 else {
            try body(&out)
            return
        }
        var container = try container(for: entry, in: out)
        try body(&container)
        try store(container, for: entry, into: &out)
    }

    /// The v2 message that holds `entry`'s source field: the one already built along its path, or a new one.
    private func container(for entry: ResolvedEntry, in out: DynamicMessage) throws(Failure) -> DynamicMessage {
        var message = out
        for step in entry.sourcePath.dropLast() {
            if message.has(step.number), let next = message.get(step.number)?.messageValue {
                message = next
            } else {
                guard let type = plan.v2.schema.messageType(of: step) else {
                    throw Failure(path: entry.v1Field.name, reason: "v2 field \(step.name) is not a message")
                }
                message = DynamicMessage(descriptor: type, schema: plan.v2.schema)
            }
        }
        return message
    }

    /// Puts `container` back at `entry`'s source path in `out`, creating the messages along it.
    private func store(_ container: DynamicMessage, for entry: ResolvedEntry, into out: inout DynamicMessage)
        throws(Failure)
    {
        let steps = Array(entry.sourcePath.dropLast())
        guard !steps.isEmpty else {
            out = container
            return
        }
        // Rebuild from the innermost message outwards.
        var chain: [DynamicMessage] = [out]
        for step in steps.dropLast() {
            let current = chain[chain.count - 1]
            if current.has(step.number), let next = current.get(step.number)?.messageValue {
                chain.append(next)
            } else if let type = plan.v2.schema.messageType(of: step) {
                chain.append(DynamicMessage(descriptor: type, schema: plan.v2.schema))
            } else {
                throw Failure(path: entry.v1Field.name, reason: "v2 field \(step.name) is not a message")
            }
        }
        var inner = container
        for (depth, step) in steps.enumerated().reversed() {
            var parent = chain[depth]
            do {
                try parent.set(step.number, to: .message(inner))
            } catch {
                throw Failure(path: entry.v1Field.name, reason: "\(error)")
            }
            inner = parent
        }
        out = inner
    }

    /// Sets the plan's key path from the row's key when the whitelist left it unset.
    private func setKey(_ key: String, in out: inout DynamicMessage) throws(Failure) {
        guard let keyPath = plan.key else { return }
        var fields: [FieldDescriptor] = []
        var type = plan.v2Message
        for (index, name) in keyPath.components.enumerated() {
            guard let field = type.field(named: name) else { return }
            fields.append(field)
            if index < keyPath.components.count - 1 {
                guard let next = plan.v2.schema.messageType(of: field) else { return }
                type = next
            }
        }
        guard let field = fields.last else { return }
        let entry = ResolvedEntry(index: -1, v1Field: field, sourcePath: fields, convert: nil)
        let holder = try container(for: entry, in: out)
        if holder.has(field.number) { return }
        let value: ProtoValue?
        switch field.type {
        case .string: value = .string(key)
        case .bytes: value = .bytes(Array(key.utf8))
        default: value = Int128(key).flatMap { IntegerValue.narrow($0, to: field.type) }
        }
        guard let value else {
            throw Failure(path: "$", reason: "the record's key is not a value of the v2 key field \(keyPath)")
        }
        var updated = holder
        do {
            try updated.set(field.number, to: value)
        } catch {
            throw Failure(path: "$", reason: "\(error)")
        }
        try store(updated, for: entry, into: &out)
    }

    // MARK: - Values

    /// The v2 value of one v1 value (a singular value, a repeated element, a map key or value).
    func invertValue(
        _ value: ProtoValue, from v1Field: FieldDescriptor, to v2Field: FieldDescriptor, _ convert: FieldConvert?,
        path: String
    ) throws(Failure) -> ProtoValue {
        switch convert {
        case nil:
            return try plainInvert(value, from: v1Field, to: v2Field, path: path)
        case .timestampMillis, .timestampSeconds:
            guard let integer = IntegerValue.of(value), let number = Int64(exactly: integer) else {
                throw Failure(path: path, reason: "\(value) is not an integer timestamp")
            }
            guard let type = plan.v2.schema.messageType(of: v2Field) else {
                throw Failure(path: path, reason: "v2 field \(v2Field.name) is not a Timestamp")
            }
            var seconds = number
            var nanos: Int64 = 0
            if case .timestampMillis = convert {
                // In Int128: `seconds * 1000` leaves Int64 for milliseconds near Int64.min.
                seconds = IntegerValue.floorDivide(number, 1000)
                nanos = Int64(Int128(number) - Int128(seconds) * 1000) * 1_000_000
            }
            var timestamp = DynamicMessage(descriptor: type, schema: plan.v2.schema)
            do {
                if seconds != 0 { try timestamp.set(named: "seconds", to: .int64(seconds)) }
                if nanos != 0 { try timestamp.set(named: "nanos", to: .int32(Int32(nanos))) }
            } catch {
                throw Failure(path: path, reason: "\(error)")
            }
            return .message(timestamp)
        case .unwrap:
            guard let type = plan.v2.schema.messageType(of: v2Field), let inner = type.field(number: 1) else {
                throw Failure(path: path, reason: "v2 field \(v2Field.name) is not a wrapper")
            }
            var wrapper = DynamicMessage(descriptor: type, schema: plan.v2.schema)
            do {
                try wrapper.set(1, to: try plainInvert(value, from: v1Field, to: inner, path: path))
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(path: path, reason: "\(error)")
            }
            return .message(wrapper)
        case .stringBytes:
            switch value {
            case .bytes(let bytes):
                guard v2Field.type == .bytes || !v2Field.validatesUTF8 else {
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw Failure(path: path, reason: "the bytes are not UTF-8, which the v2 string needs")
                    }
                    return .string(text)
                }
                return String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
            case .string: return value
            default: throw Failure(path: path, reason: "\(value) is not bytes")
            }
        case .bytesString:
            switch value {
            case .string(let text): return .bytes(Array(text.utf8))
            case .bytes: return value
            default: throw Failure(path: path, reason: "\(value) is not a string")
            }
        case .enumMap(let map):
            guard case .enumValue(let number) = value else {
                throw Failure(path: path, reason: "\(value) is not an enum value")
            }
            return .enumValue(try invertEnum(number, from: v1Field, to: v2Field, map: map, path: path))
        case .toString, .named:
            throw Failure(path: path, reason: "the convert \(convert.map { "\($0)" } ?? "") has no inverse")
        }
    }

    private func plainInvert(
        _ value: ProtoValue, from v1Field: FieldDescriptor, to v2Field: FieldDescriptor, path: String
    )
        throws(Failure) -> ProtoValue
    {
        switch v2Field.type {
        case .message, .group:
            guard let message = value.messageValue, let type = plan.v2.schema.messageType(of: v2Field) else {
                throw Failure(path: path, reason: "\(value) is not a message")
            }
            return .message(try invertMessage(message, as: type, path: path))
        case .enum:
            guard case .enumValue(let number) = value else {
                throw Failure(path: path, reason: "\(value) is not an enum value")
            }
            return .enumValue(try invertEnum(number, from: v1Field, to: v2Field, map: [:], path: path))
        case .float:
            switch value {
            case .float: return value
            case .double(let number):
                let narrowed = Float(number)
                if number.isNaN || Double(narrowed) == number { return .float(narrowed) }
                throw Failure(path: path, reason: "\(number) does not fit the v2 float")
            default: throw Failure(path: path, reason: "\(value) is not a number")
            }
        case .double:
            switch value {
            case .double: return value
            case .float(let number): return .double(Double(number))
            default: throw Failure(path: path, reason: "\(value) is not a number")
            }
        case .bool, .string, .bytes:
            return value
        default:
            guard let integer = IntegerValue.of(value) else {
                throw Failure(path: path, reason: "\(value) is not an integer")
            }
            guard let narrowed = IntegerValue.narrow(integer, to: v2Field.type) else {
                throw Failure(
                    path: path, reason: "\(integer) does not fit the v2 \(v2Field.type) field \(v2Field.name)")
            }
            return narrowed
        }
    }

    /// A v1 sub-message as its v2 type, by sub-field name (DESIGN 3 backwards); a set v1 sub-field without a v2
    /// namesake cannot be carried.
    private func invertMessage(_ message: DynamicMessage, as type: MessageDescriptor, path: String) throws(Failure)
        -> DynamicMessage
    {
        var out = DynamicMessage(descriptor: type, schema: plan.v2.schema)
        for v1Sub in message.descriptor.fields {
            let subPath = DiffPath.field(path, v1Sub.name)
            let isSet =
                v1Sub.isMap
                ? !message.mapEntries(v1Sub.number).isEmpty
                : v1Sub.isRepeated ? !message.repeatedValues(v1Sub.number).isEmpty : message.has(v1Sub.number)
            guard isSet else { continue }
            guard let v2Sub = type.field(named: v1Sub.name) else {
                throw Failure(path: subPath, reason: "the v2 message \(type.fullName) has no field \(v1Sub.name)")
            }
            do {
                if v1Sub.isMap {
                    guard let v1Entry = message.schema.messageType(of: v1Sub),
                        let v2Entry = plan.v2.schema.messageType(of: v2Sub), v1Entry.fields.count == 2,
                        v2Entry.fields.count == 2
                    else { throw Failure(path: subPath, reason: "the map's entry types do not match") }
                    for (key, value) in message.mapEntries(v1Sub.number) {
                        let elementPath = DiffPath.key(subPath, key)
                        try out.setMapValue(
                            try plainInvert(value, from: v1Entry.fields[1], to: v2Entry.fields[1], path: elementPath),
                            forKey: try plainInvert(
                                key, from: v1Entry.fields[0], to: v2Entry.fields[0], path: elementPath),
                            in: v2Sub.number)
                    }
                } else if v1Sub.isRepeated {
                    var values: [ProtoValue] = []
                    for (index, value) in message.repeatedValues(v1Sub.number).enumerated() {
                        values.append(
                            try plainInvert(value, from: v1Sub, to: v2Sub, path: DiffPath.index(subPath, index)))
                    }
                    try out.setRepeated(v2Sub.number, to: values)
                } else if let value = message.get(v1Sub.number) {
                    try out.set(v2Sub.number, to: try plainInvert(value, from: v1Sub, to: v2Sub, path: subPath))
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(path: subPath, reason: "\(error)")
            }
        }
        return out
    }

    /// The v2 number whose projection is v1 `number`: the v2 value the map (then the name, then the number) sends
    /// there, or the number itself when the v2 enum does not declare it and is open.
    private func invertEnum(
        _ number: Int32, from v1Field: FieldDescriptor, to v2Field: FieldDescriptor, map: [String: String],
        path: String
    ) throws(Failure) -> Int32 {
        guard let v2Enum = plan.v2.schema.enumType(of: v2Field) else {
            throw Failure(path: path, reason: "v2 field \(v2Field.name) is not an enum")
        }
        for candidate in v2Enum.values
        where projectEnum(candidate.number, from: v2Field, to: v1Field, map: map) == number {
            return candidate.number
        }
        if v2Enum.name(of: number) == nil, !v2Enum.isClosed,
            projectEnum(number, from: v2Field, to: v1Field, map: map) == number
        {
            return number
        }
        let name = plan.v1.schema.enumType(of: v1Field)?.name(of: number) ?? String(number)
        throw Failure(path: path, reason: "no v2 value of \(v2Enum.fullName) becomes \(name)")
    }

    private func projectEnum(
        _ number: Int32, from v2Field: FieldDescriptor, to v1Field: FieldDescriptor, map: [String: String]
    )
        -> Int32?
    {
        var issues: [String: ProtoValue] = [:]
        let convert: FieldConvert? = map.isEmpty ? nil : .enumMap(map)
        guard
            case .value(.enumValue(let projected)) = projection.convertValue(
                .enumValue(number), from: v2Field, to: v1Field, convert, path: "", issues: &issues), issues.isEmpty
        else { return nil }
        return projected
    }

    /// A reason when two declared v2 values of `entry`'s enum become one v1 value; nil when none do.
    private func enumCollision(_ entry: ResolvedEntry) -> String? {
        guard let v2Enum = plan.v2.schema.enumType(of: entry.source) else { return nil }
        var map: [String: String] = [:]
        if case .enumMap(let given) = entry.convert { map = given }
        var sources: [Int32: [String]] = [:]
        for value in v2Enum.values {
            guard let projected = projectEnum(value.number, from: entry.source, to: entry.v1Field, map: map) else {
                continue
            }
            sources[projected, default: []].append(value.name)
        }
        let v1Enum = plan.v1.schema.enumType(of: entry.v1Field)
        let collisions = sources.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        guard !collisions.isEmpty else { return nil }
        let described = collisions.map { number, names in
            "\(names.joined(separator: " and ")) become \(v1Enum?.name(of: number) ?? String(number))"
        }
        return
            "the enum map is many-to-one (\(described.joined(separator: "; "))): a v1 record cannot tell which v2 value it had"
    }
}

/// A plan that does not invert: one ``PlanError`` per whitelist entry that cannot run backwards.
public struct PlanInversionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every entry that does not invert, in whitelist order.
    public var errors: [PlanError]

    /// Creates the error.
    public init(errors: [PlanError]) {
        self.errors = errors
    }

    public var description: String {
        "the plan does not invert (v1-to-v2 needs every entry to):\n"
            + errors.map { "  \($0)" }.joined(separator: "\n")
    }
}
