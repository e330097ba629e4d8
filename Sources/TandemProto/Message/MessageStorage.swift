/// The fixed part of a message's storage: its type, its schema and its unknown fields.
@usableFromInline
struct MessageHeader {
    @usableFromInline let descriptor: MessageDescriptor
    @usableFromInline let schema: Schema
    /// The number of field slots that follow the header (`descriptor.fields.count`).
    @usableFromInline let count: Int
    /// Unknown fields: raw tag-value bytes in wire order.
    @usableFromInline var unknownFields: [UInt8]
    /// How many fields ``unknownFields`` holds.
    @usableFromInline var unknownCount: Int
}

/// One allocation per message: the header, followed by one ``DynamicMessage/FieldValue`` slot per declared field
/// (parallel to `descriptor.fields`).
///
/// ``DynamicMessage`` is copy-on-write over this class: every mutation goes through `DynamicMessage.makeUnique()`,
/// which copies the storage unless the mutating value holds the only reference, so a storage reachable from more
/// than one value (or task) is never written; every stored value (descriptor, schema, bytes, field values) is itself
/// `Sendable`. That is what makes `DynamicMessage`'s `@unchecked Sendable` sound.
@usableFromInline
final class MessageStorage: ManagedBuffer<MessageHeader, DynamicMessage.FieldValue> {
    /// A storage with every field unset and no unknown fields.
    @usableFromInline
    static func make(descriptor: MessageDescriptor, schema: Schema) -> MessageStorage {
        let count = descriptor.fields.count
        let buffer = create(minimumCapacity: count) { _ in
            MessageHeader(descriptor: descriptor, schema: schema, count: count, unknownFields: [], unknownCount: 0)
        }
        let storage = unsafeDowncast(buffer, to: MessageStorage.self)
        storage.withUnsafeMutablePointerToElements { $0.initialize(repeating: .unset, count: count) }
        return storage
    }

    /// A copy holding the same values.
    @usableFromInline
    func copy() -> MessageStorage {
        let header = self.header
        let buffer = MessageStorage.create(minimumCapacity: header.count) { _ in header }
        let storage = unsafeDowncast(buffer, to: MessageStorage.self)
        withUnsafeMutablePointerToElements { source in
            storage.withUnsafeMutablePointerToElements { target in
                target.initialize(from: source, count: header.count)
            }
        }
        return storage
    }

    deinit {
        withUnsafeMutablePointers { header, elements in
            _ = elements.deinitialize(count: header.pointee.count)
        }
    }
}
