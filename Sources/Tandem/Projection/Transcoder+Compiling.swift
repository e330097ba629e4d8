import TandemProto

extension Transcoder {
    /// One compiled field with the descriptors its slow paths need.
    struct Compiled {
        var entry: Entry
        var table: [Int64]
        let source: FieldDescriptor
        let v1Field: FieldDescriptor
        let convert: FieldConvert?
        /// The v2 message holding the source.
        let container: MessageDescriptor
    }

    /// Compiles a plan's whitelist into entries, and the sub-messages, maps and wrappers they reach into programs.
    struct Compiler {
        let projection: Projection
        let validator: WireValidator
        /// The whitelist entries (the first ``topLevelCount``), then the fields of every program.
        var compiled: [Compiled] = []
        var topLevelCount = 0
        /// Each program's slots in ``compiled``; `nil` while it is being compiled.
        var programs: [Range<Int>?] = []
        /// Per program: whether its v2 message may be merged from several occurrences field by field (it has no
        /// real oneof, whose later member would clear an earlier one).
        var programsMerge: [Bool] = []
        var paths: [Int32] = []
        /// Per path step: the same for the message the step leads to.
        var pathsMerge: [Bool] = []
        /// Sub-message programs by "v2 type, v1 type"; a failed one maps to -1.
        private var messagePrograms: [String: Int] = [:]
        private let v1Schema: Schema
        private let v2Schema: Schema

        /// `nil` when the plan has a shape the transcoder leaves to the message path (see ``Transcoder``).
        init?(projection: Projection) {
            let plan = projection.plan
            self.projection = projection
            self.v1Schema = plan.v1.schema
            self.v2Schema = plan.v2.schema
            self.validator = WireValidator(schema: plan.v2.schema)
            var top: [Compiled] = []
            for (index, resolved) in plan.resolved.enumerated() {
                let v1Field = resolved.v1Field
                var entry = Entry()
                entry.index = index
                guard Self.setOneof(of: v1Field, in: &entry) else { return nil }
                var container = plan.v2Message
                entry.pathStart = paths.count
                for step in resolved.sourcePath.dropLast() {
                    guard step.type == .message, !step.isRepeated, let next = v2Schema.messageType(of: step) else {
                        return nil
                    }
                    paths.append(step.number)
                    pathsMerge.append(Self.mergesFieldByField(next))
                    container = next
                }
                entry.pathCount = paths.count - entry.pathStart
                top.append(
                    describe(entry, source: resolved.source, v1Field: v1Field, convert: resolved.convert, in: container)
                )
            }
            let v1Message = plan.v1Message
            top.sort {
                (v1Message.position(ofNumber: $0.entry.v1Number) ?? 0)
                    < (v1Message.position(ofNumber: $1.entry.v1Number) ?? 0)
            }
            for slot in top.indices { top[slot].entry.slot = slot }
            compiled = top
            topLevelCount = top.count
            // Programs are compiled after the whitelist entries, so that those keep the first slots.
            for slot in 0..<topLevelCount {
                guard let child = program(for: compiled[slot]) else { continue }
                if child < 0 {
                    compiled[slot].entry.kind = .general
                } else {
                    compiled[slot].entry.child = child
                }
            }
        }

        /// Fills the source, v1 and kind parts of `entry`.
        private func describe(
            _ entry: Entry, source: FieldDescriptor, v1Field: FieldDescriptor, convert: FieldConvert?,
            in container: MessageDescriptor
        ) -> Compiled {
            var entry = entry
            entry.sourceNumber = source.number
            entry.sourceType = source.type
            entry.sourceHasPresence = source.hasPresence
            entry.sourceIsRepeated = source.isRepeated
            entry.sourceChecksUTF8 = source.type == .string && !source.validatesUTF8
            entry.closedEnum = validator.closedEnumSlot(ofField: source.number, in: container)
            entry.v1Number = v1Field.number
            entry.v1Type = v1Field.type
            entry.v1HasPresence = v1Field.hasPresence
            entry.zeroSourceIsUnset = !source.hasPresence && v1Field.hasPresence && !source.isRepeated
            entry.v1IsPacked = v1Field.isPacked && v1Field.type.isPackable
            entry.kind = Transcoder.kind(source: source, v1Field: v1Field, convert: convert)
            if entry.kind == .timestampMillis || entry.kind == .timestampSeconds,
                !Self.isWellKnownTimestamp(v2Schema.messageType(of: source))
            {
                // The direct path reads seconds and nanos as the well-known type declares them; a Timestamp an
                // import root declares otherwise is read through its decoded message.
                entry.kind = .general
            }
            var table: [Int64] = []
            if entry.kind == .enumTable, let v2Enum = v2Schema.enumType(of: source),
                let highest = v2Enum.values.map(\.number).max(), highest >= 0, highest < 4096
            {
                table = Array(repeating: Int64.min, count: Int(highest) + 1)
                for value in v2Enum.values where value.number >= 0 {
                    var issues: [String: ProtoValue] = [:]
                    if case .value(.enumValue(let converted)) = projection.convertValue(
                        .enumValue(value.number), from: source, to: v1Field, convert, path: "", issues: &issues),
                        issues.isEmpty
                    {
                        table[Int(value.number)] = Int64(converted)
                    }
                }
            }
            return Compiled(
                entry: entry, table: table, source: source, v1Field: v1Field, convert: convert, container: container)
        }

        /// Whether `type` declares `int64 seconds = 1` and `int32 nanos = 2` as google.protobuf.Timestamp does,
        /// singular and outside any real oneof.
        private static func isWellKnownTimestamp(_ type: MessageDescriptor?) -> Bool {
            guard let type else { return false }
            return [(Int32(1), FieldType.int64), (2, .int32)].allSatisfy { number, fieldType in
                guard let field = type.field(number: number) else { return false }
                return field.type == fieldType && !field.isRepeated
                    && (field.oneofIndex == nil || field.isProto3Optional)
            }
        }

        private static func setOneof(of v1Field: FieldDescriptor, in entry: inout Entry) -> Bool {
            guard let oneof = v1Field.oneofIndex, !v1Field.isProto3Optional else { return true }
            guard oneof < 64 else { return false }
            entry.v1Oneof = oneof
            return true
        }

        // MARK: Programs

        /// The program a field of kind message, repeated message, map or unwrap runs: its index, -1 when it cannot
        /// be compiled (the field takes the general path), `nil` for other kinds.
        private mutating func program(for field: Compiled) -> Int? {
            switch field.entry.kind {
            case .message, .repeatedMessage:
                guard let v2Type = v2Schema.messageType(of: field.source),
                    let v1Type = v1Schema.messageType(of: field.v1Field)
                else { return -1 }
                return messageProgram(v2Type, v1Type)
            case .map:
                return mapProgram(field)
            case .unwrap:
                return unwrapProgram(field)
            default:
                return nil
            }
        }

        /// A sub-message projected by field name: a field for each v1 field whose name v2 declares, in the v1
        /// message's encoding order. Recursive types take the general path.
        private mutating func messageProgram(_ v2Type: MessageDescriptor, _ v1Type: MessageDescriptor) -> Int {
            let key = v2Type.fullName + "\u{0}" + v1Type.fullName
            if let known = messagePrograms[key] { return known }
            messagePrograms[key] = -1
            var fields: [Compiled] = []
            for v1Sub in v1Type.fields {
                guard let v2Sub = v2Type.field(named: v1Sub.name) else { continue }
                var entry = Entry()
                guard Self.setOneof(of: v1Sub, in: &entry) else { return -1 }
                var field = describe(entry, source: v2Sub, v1Field: v1Sub, convert: nil, in: v2Type)
                if let child = program(for: field) {
                    guard child >= 0 else { return -1 }
                    field.entry.child = child
                }
                guard field.entry.kind != .general else { return -1 }
                fields.append(field)
            }
            fields.sort {
                (v1Type.position(ofNumber: $0.entry.v1Number) ?? 0)
                    < (v1Type.position(ofNumber: $1.entry.v1Number) ?? 0)
            }
            let index = append(fields, merges: Self.mergesFieldByField(v2Type))
            messagePrograms[key] = index
            return index
        }

        /// A map: the entry's key, then its value, both always written. Keys must keep their type; values may
        /// convert as message fields do, except closed enums (an unknown value drops the whole entry).
        private mutating func mapProgram(_ field: Compiled) -> Int {
            guard let v2Entry = v2Schema.messageType(of: field.source),
                let v1Entry = v1Schema.messageType(of: field.v1Field),
                v2Entry.fields.count == 2, v1Entry.fields.count == 2,
                v2Entry.fields.map(\.number) == [1, 2], v1Entry.fields.map(\.number) == [1, 2],
                v2Entry.fields[0].type == v1Entry.fields[0].type
            else { return -1 }
            var key = describe(
                Entry(), source: v2Entry.fields[0], v1Field: v1Entry.fields[0], convert: nil, in: v2Entry)
            var value = describe(
                Entry(), source: v2Entry.fields[1], v1Field: v1Entry.fields[1], convert: nil, in: v2Entry)
            switch key.entry.kind {
            case .integer, .same, .copy: break
            default: return -1
            }
            guard value.entry.closedEnum < 0 else { return -1 }
            switch value.entry.kind {
            case .integer, .same, .enumTable, .scalar, .copy:
                break
            case .message:
                guard let v2Type = v2Schema.messageType(of: value.source),
                    let v1Type = v1Schema.messageType(of: value.v1Field)
                else { return -1 }
                let child = messageProgram(v2Type, v1Type)
                guard child >= 0 else { return -1 }
                value.entry.child = child
            default:
                return -1
            }
            // An absent key or scalar value reads as its zero, and the encoder writes both whatever their value.
            key.entry.sourceHasPresence = false
            key.entry.v1HasPresence = true
            key.entry.zeroSourceIsUnset = false
            if value.entry.kind != .message {
                value.entry.sourceHasPresence = false
                value.entry.v1HasPresence = true
                value.entry.zeroSourceIsUnset = false
            }
            return append([key, value])
        }

        /// `unwrap`: the wrapper's field 1 read as a plain value into the v1 field. Only wrappers whose value has
        /// implicit presence (the google.protobuf wrappers): an unset one reads as its zero.
        private mutating func unwrapProgram(_ field: Compiled) -> Int {
            guard let wrapper = v2Schema.messageType(of: field.source), let inner = wrapper.field(number: 1),
                !inner.isRepeated, !inner.hasPresence
            else { return -1 }
            var value = describe(Entry(), source: inner, v1Field: field.v1Field, convert: nil, in: wrapper)
            // A present wrapper is a value, its zero included.
            value.entry.zeroSourceIsUnset = false
            switch value.entry.kind {
            case .integer, .same, .enumTable, .scalar, .copy: return append([value])
            default: return -1
            }
        }

        /// Whether occurrences of `type` merge as the concatenation of their fields: not when a real oneof could have
        /// a member cleared by a later occurrence's other member.
        private static func mergesFieldByField(_ type: MessageDescriptor) -> Bool {
            !type.oneofs.contains { !$0.isSynthetic }
        }

        /// Appends a program's fields; returns its index.
        private mutating func append(_ fields: [Compiled], merges: Bool = true) -> Int {
            let start = compiled.count
            for var field in fields {
                field.entry.slot = compiled.count
                compiled.append(field)
            }
            programs.append(start..<compiled.count)
            programsMerge.append(merges)
            return programs.count - 1
        }
    }

    /// How a field is transcoded (programs aside: ``Compiler`` compiles those, or falls back to ``Kind/general``).
    static func kind(source: FieldDescriptor, v1Field: FieldDescriptor, convert: FieldConvert?) -> Kind {
        if source.isMap || v1Field.isMap {
            guard source.isMap, v1Field.isMap, case .none = convert else { return .general }
            return .map
        }
        guard source.isRepeated == v1Field.isRepeated else { return .general }
        if source.type == .message && v1Field.type == .message, case .none = convert {
            return source.isRepeated ? .repeatedMessage : .message
        }
        if case .unwrap = convert, source.type == .message, !source.isRepeated, !v1Field.type.isMessage {
            return .unwrap
        }
        guard !v1Field.type.isMessage else { return .general }
        switch (convert, source.type, v1Field.type) {
        case (.timestampMillis, .message, _), (.timestampSeconds, .message, _):
            guard !source.isRepeated, source.typeName == "google.protobuf.Timestamp" else { return .general }
            if case .timestampMillis = convert { return .timestampMillis }
            return .timestampSeconds
        case (nil, .string, .string), (nil, .bytes, .bytes):
            return .copy
        case (nil, .enum, .enum), (.enumMap, .enum, .enum):
            return .enumTable
        case (nil, let from, let to) where from == to && (from == .bool || from == .float || from == .double):
            return .same
        case (nil, let from, let to) where isInteger(from) && isInteger(to):
            return .integer
        case (nil, _, _), (.enumMap, _, _), (.toString, _, _):
            // Varint and fixed-width values are exactly the packable types.
            return source.type.isPackable ? .scalar : .general
        default:
            return .general
        }
    }

    private static func isInteger(_ type: FieldType) -> Bool {
        switch type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .fixed32, .fixed64, .sfixed32, .sfixed64: return true
        default: return false
        }
    }
}
