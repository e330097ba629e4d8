/// One protobuf message decoded at run time with its descriptor: its field values and its unknown fields.
///
/// A `DynamicMessage` is a copy-on-write value: copying it is cheap, and a copy changes only when written. Field
/// values live in one slot per declared field, in the order of ``MessageDescriptor/fields`` (field-number order),
/// so a field is read by its position without hashing. Unknown fields (numbers the schema does not declare,
/// values whose wire type does not match the declaration, and unknown numbers of closed enums) are kept as raw
/// bytes in wire order and are written back after the known fields.
///
/// Two messages are equal (`==`) when they have the same type (the same descriptor, or descriptors with the same
/// full name and field layout), the same field values (floating-point values compared by bit pattern) and the same
/// unknown-field bytes. An implicit-presence proto3 scalar set to its default is stored as unset, so it equals an
/// unset one; an empty repeated or map field is stored as unset.
///
/// `@unchecked Sendable`: the only stored property is a copy-on-write `MessageStorage` reference whose contents are
/// all `Sendable` and which is written only when uniquely referenced (see `MessageStorage`).
public struct DynamicMessage: @unchecked Sendable {
    /// The value of one field slot (package API: the diff engine and the projection walk slots directly).
    @usableFromInline
    package enum FieldValue: Sendable, Hashable {
        /// The field is not set (singular), or has no elements (repeated and map fields).
        case unset
        /// The value of a set singular field.
        case single(ProtoValue)
        /// The elements of a non-empty repeated field, in order.
        case repeated([ProtoValue])
        /// The entries of a non-empty map field.
        case map([ProtoValue: ProtoValue])
    }

    @usableFromInline var storage: MessageStorage

    /// Creates a message of type `descriptor` with every field unset; `schema` is the pool `descriptor` belongs to.
    public init(descriptor: MessageDescriptor, schema: Schema) {
        storage = MessageStorage.make(descriptor: descriptor, schema: schema)
    }

    @usableFromInline
    init(storage: MessageStorage) {
        self.storage = storage
    }

    /// The message's type.
    @inlinable public var descriptor: MessageDescriptor { storage.header.descriptor }

    /// The pool the message's type belongs to (nested message types are resolved in it).
    @inlinable public var schema: Schema { storage.header.schema }

    /// The unknown fields as raw protobuf bytes (tag and value of each), in the order they were read.
    ///
    /// Setting this replaces them; the bytes are written as they are after the known fields when encoding.
    public var unknownFields: [UInt8] {
        get { storage.header.unknownFields }
        set {
            makeUnique()
            storage.header.unknownFields = newValue
            storage.header.unknownCount = Self.countFields(in: newValue)
        }
    }

    /// How many fields ``unknownFields`` holds.
    @inlinable public var unknownFieldCount: Int { storage.header.unknownCount }

    /// Copies the storage unless this value holds the only reference to it.
    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Counts the fields of unknown-field bytes (a malformed tail counts as one field).
    static func countFields(in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            var count = 0
            do {
                while let (number, wireType) = try reader.nextTag() {
                    count += 1
                    try reader.skipField(wireType: wireType, fieldNumber: number)
                }
            } catch {
                return count + 1
            }
            return count
        }
    }
}

extension DynamicMessage: Hashable {
    /// Whether two messages have the same type, field values and unknown fields (floats by bit pattern).
    public static func == (lhs: DynamicMessage, rhs: DynamicMessage) -> Bool {
        if lhs.storage === rhs.storage { return true }
        let left = lhs.descriptor
        let right = rhs.descriptor
        if left !== right {
            guard left.fullName == right.fullName, left.fields.count == right.fields.count else { return false }
            for (a, b) in zip(left.fields, right.fields) where a.number != b.number || a.type != b.type {
                return false
            }
        }
        guard lhs.storage.header.unknownFields == rhs.storage.header.unknownFields else { return false }
        let count = lhs.storage.header.count
        return lhs.storage.withUnsafeMutablePointerToElements { a in
            rhs.storage.withUnsafeMutablePointerToElements { b in
                for index in 0..<count where a[index] != b[index] { return false }
                return true
            }
        }
    }

    /// Hashes the field values and unknown fields.
    public func hash(into hasher: inout Hasher) {
        let count = storage.header.count
        hasher.combine(count)
        storage.withUnsafeMutablePointerToElements { slots in
            for index in 0..<count { hasher.combine(slots[index]) }
        }
        hasher.combine(storage.header.unknownFields)
    }
}
