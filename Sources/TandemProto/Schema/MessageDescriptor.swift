/// A resolved message type (an immutable reference shared by every message of that type): its fields by number and by name, its oneofs, and whether it is a map entry.
public final class MessageDescriptor: Sendable {
    /// The message's full name, without a leading dot (`acme.user.v2.UserProfile`).
    public let fullName: String
    /// The fields, sorted by number.
    public let fields: [FieldDescriptor]
    /// The oneofs, in declaration order (synthetic oneofs last, as protoc lays them out).
    public let oneofs: [OneofDescriptor]
    /// Whether this is a synthesised map entry message (`key` = 1, `value` = 2).
    public let isMapEntry: Bool
    /// Whether the file declaring this message is proto3.
    public let isProto3: Bool
    /// Index of this message in the owning ``Schema``.
    public let index: Int
    /// The path of the `.proto` file that declares it.
    public let file: String

    /// Dense index from field number to position in ``fields`` for small numbers; -1 marks a gap.
    private let denseSlots: [Int32]
    private let sparseSlots: [Int32: Int]
    private let nameSlots: [String: Int]
    private let jsonNameSlots: [String: Int]

    /// Field numbers below this bound are looked up in a flat array.
    static let denseLimit: Int32 = 256

    /// Creates a message descriptor; ``Schema`` builds these from `DescriptorProto`s.
    package init(
        fullName: String, fields: [FieldDescriptor], oneofs: [OneofDescriptor], isMapEntry: Bool, isProto3: Bool,
        index: Int, file: String
    ) {
        let sorted = fields.sorted { $0.number < $1.number }
        self.fullName = fullName
        self.fields = sorted
        self.oneofs = oneofs
        self.isMapEntry = isMapEntry
        self.isProto3 = isProto3
        self.index = index
        self.file = file
        let maxDense = min(Int(sorted.last?.number ?? 0), Int(Self.denseLimit) - 1)
        var dense = [Int32](repeating: -1, count: maxDense + 1)
        var sparse: [Int32: Int] = [:]
        var names: [String: Int] = [:]
        var jsonNames: [String: Int] = [:]
        for (position, field) in sorted.enumerated() {
            if field.number < Self.denseLimit && field.number >= 0 {
                dense[Int(field.number)] = Int32(position)
            } else {
                sparse[field.number] = position
            }
            names[field.name] = position
            jsonNames[field.jsonName] = position
        }
        self.denseSlots = dense
        self.sparseSlots = sparse
        self.nameSlots = names
        self.jsonNameSlots = jsonNames
    }

    /// The position in ``fields`` of the field numbered `number`, if declared.
    @inline(__always)
    package func position(ofNumber number: Int32) -> Int? {
        if number >= 0 && Int(number) < denseSlots.count {
            let slot = denseSlots[Int(number)]
            return slot < 0 ? nil : Int(slot)
        }
        return sparseSlots[number]
    }

    /// The field numbered `number`, if declared.
    public func field(number: Int32) -> FieldDescriptor? {
        position(ofNumber: number).map { fields[$0] }
    }

    /// The field named `name` (the `.proto` name), if declared.
    public func field(named name: String) -> FieldDescriptor? {
        nameSlots[name].map { fields[$0] }
    }

    /// The position in ``fields`` of the field named `name`, if declared.
    package func position(ofName name: String) -> Int? { nameSlots[name] }

    /// The field whose proto3 JSON name is `jsonName`, if declared.
    public func field(jsonName: String) -> FieldDescriptor? {
        jsonNameSlots[jsonName].map { fields[$0] }
    }

    /// The message's short name (the last component of ``fullName``).
    public var name: String { fullName.split(separator: ".").last.map(String.init) ?? fullName }
}
