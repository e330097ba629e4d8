/// What the wire-level scanners need of each field of every message of a schema, in plain values: built once per
/// schema so that scanning a payload copies no descriptor and looks up no name.
package final class WireLayout: @unchecked Sendable {  // Immutable after init; its tables are freed in deinit.
    /// How a field's occurrences are read.
    package enum Kind: UInt8, Sendable {
        /// Not declared: every occurrence is an unknown field.
        case undeclared
        /// int32, int64, uint32, uint64, sint32, sint64, bool.
        case varint
        /// An enum (closed or open, see ``Field/closedEnum``).
        case enumValue
        /// fixed32, sfixed32, float.
        case fixed32
        /// fixed64, sfixed64, double.
        case fixed64
        /// A string whose bytes must be UTF-8 (proto3, editions' `utf8_validation = VERIFY`).
        case checkedString
        /// A proto2 string, or bytes.
        case bytes
        /// A length-delimited message.
        case message
        /// A map entry.
        case map
        /// A group, or a message or map whose type the schema does not hold.
        case unsupported
    }

    /// One field, in plain values.
    package struct Field: Sendable {
        package var kind: Kind = .undeclared
        package var isRepeated = false
        /// The wire type of the declared type (length-delimited for messages and maps).
        package var wireType: WireType = .varint
        /// The message type (``Kind/message``) or map entry type (``Kind/map``), as an index into the schema's
        /// messages; -1 otherwise.
        package var messageIndex: Int32 = -1
        /// The closed enum whose undeclared values are unknown fields, as an index into ``closedEnums``; -1 for
        /// open enums and other kinds.
        package var closedEnum: Int32 = -1
        /// The real oneof the field belongs to; -1 for none (a proto3 `optional` is not a real oneof).
        package var oneof: Int32 = -1

        /// An undeclared field.
        package init() {}
    }

    /// Field numbers below this are looked up in ``dense`` by number; larger ones in ``sparse`` (the same cut as
    /// ``MessageDescriptor``'s own lookup).
    static let denseLimit = Int(MessageDescriptor.denseLimit)

    /// Per message (by schema index): where its dense fields start in ``dense`` and how many numbers they cover.
    /// Both tables are plain memory, so that looking a field up retains nothing.
    let denseRanges: UnsafeMutableBufferPointer<(start: Int, count: Int)>
    /// Dense fields of every message, indexed by `denseRanges[message].start + number`.
    let dense: UnsafeMutableBufferPointer<Field>
    /// Fields numbered ``denseLimit`` and above, keyed by `message << 32 | number`.
    let sparse: [Int: Field]
    /// The declared numbers of each closed enum.
    let closedEnums: [Set<Int32>]
    /// The number of oneofs of each message (real and synthetic: fields carry real oneofs' indices only).
    let oneofCounts: [Int]

    init(schema: Schema) {
        var closedEnumSlots: [Int: Int32] = [:]
        var closedEnums: [Set<Int32>] = []
        for enumType in schema.enums where enumType.isClosed {
            closedEnumSlots[enumType.index] = Int32(closedEnums.count)
            closedEnums.append(Set(enumType.values.map(\.number)))
        }
        var denseRanges: [(start: Int, count: Int)] = []
        var dense: [Field] = []
        var sparse: [Int: Field] = [:]
        var oneofCounts: [Int] = []
        for message in schema.messages {
            let highest = message.fields.map { Int($0.number) }.max() ?? 0
            let count = min(highest + 1, Self.denseLimit)
            denseRanges.append((dense.count, count))
            let start = dense.count
            dense.append(contentsOf: repeatElement(Field(), count: count))
            for field in message.fields {
                let layout = Self.field(field, schema: schema, closedEnumSlots: closedEnumSlots)
                if Int(field.number) < count {
                    dense[start + Int(field.number)] = layout
                } else {
                    sparse[message.index << 32 | Int(field.number)] = layout
                }
            }
            oneofCounts.append(message.oneofs.count)
        }
        self.denseRanges = .allocate(capacity: denseRanges.count)
        _ = self.denseRanges.initialize(from: denseRanges)
        self.dense = .allocate(capacity: dense.count)
        _ = self.dense.initialize(from: dense)
        self.sparse = sparse
        self.closedEnums = closedEnums
        self.oneofCounts = oneofCounts
    }

    deinit {
        denseRanges.deallocate()
        dense.deallocate()
    }

    private static func field(_ field: FieldDescriptor, schema: Schema, closedEnumSlots: [Int: Int32]) -> Field {
        var layout = Field()
        layout.isRepeated = field.isRepeated
        layout.wireType = field.type.wireType
        if let oneof = field.oneofIndex, !field.isProto3Optional { layout.oneof = Int32(oneof) }
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool: layout.kind = .varint
        case .enum:
            layout.kind = .enumValue
            if let index = field.enumIndex, let slot = closedEnumSlots[index] { layout.closedEnum = slot }
        case .fixed32, .sfixed32, .float: layout.kind = .fixed32
        case .fixed64, .sfixed64, .double: layout.kind = .fixed64
        case .string: layout.kind = field.validatesUTF8 ? .checkedString : .bytes
        case .bytes: layout.kind = .bytes
        case .message:
            if let type = schema.messageType(of: field) {
                if field.isMap {
                    // A map entry must be key = 1 and value = 2; any other shape is left to the decoder.
                    let numbers = type.fields.map(\.number)
                    layout.kind = numbers == [1, 2] && !type.fields[0].type.isMessage ? .map : .unsupported
                } else {
                    layout.kind = .message
                }
                layout.messageIndex = Int32(type.index)
            } else {
                layout.kind = .unsupported
            }
        case .group:
            layout.kind = .unsupported
        }
        return layout
    }

    /// The field numbered `number` of the message at `messageIndex`.
    @inline(__always)
    func field(_ number: Int32, in messageIndex: Int) -> Field {
        let range = denseRanges[messageIndex]
        if Int(number) < range.count { return dense[range.start + Int(number)] }
        return sparse[messageIndex << 32 | Int(number)] ?? Field()
    }

    /// Whether `value` is undeclared in the closed enum at `slot`.
    @inline(__always)
    func isUnknown(_ value: Int32, inClosedEnum slot: Int32) -> Bool {
        !closedEnums[Int(slot)].contains(value)
    }
}
