import SwiftProtobuf

/// Reaches the options message of the element at a descriptor path (the `SourceCodeInfo` path convention).
enum OptionPath {
    /// Merges serialized option fields (interpreted custom options) into the options of the element at `ownerPath`.
    static func merge(
        _ option: [UInt8], into file: inout Google_Protobuf_FileDescriptorProto,
        ownerPath: [Int32], at location: SourceLocation
    ) throws(ProtoError) {
        let bad = ProtoError(.invalidOption, at: location, "Option owner not found.")
        var path = ownerPath[...]
        guard let head = path.popFirst() else { throw bad }
        switch head {
        case 8:
            try apply(&file.options, option, bad)
        case 4:
            guard let i = path.popFirst(), file.messageType.indices.contains(Int(i)) else { throw bad }
            try message(&file.messageType[Int(i)], path, option, bad)
        case 5:
            guard let i = path.popFirst(), file.enumType.indices.contains(Int(i)) else { throw bad }
            try enumOptions(&file.enumType[Int(i)], path, option, bad)
        case 6:
            guard let i = path.popFirst(), file.service.indices.contains(Int(i)) else { throw bad }
            guard let next = path.popFirst() else { throw bad }
            if next == 3 {
                try apply(&file.service[Int(i)].options, option, bad)
            } else if next == 2, let j = path.popFirst(), file.service[Int(i)].method.indices.contains(Int(j)) {
                try apply(&file.service[Int(i)].method[Int(j)].options, option, bad)
            } else {
                throw bad
            }
        case 7:
            guard let i = path.popFirst(), file.extension.indices.contains(Int(i)) else { throw bad }
            try apply(&file.extension[Int(i)].options, option, bad)
        default:
            throw bad
        }
    }

    private static func apply<M: SwiftProtobuf.Message>(_ options: inout M, _ bytes: [UInt8], _ bad: ProtoError)
        throws(ProtoError)
    {
        do {
            try options.merge(serializedBytes: bytes)
        } catch {
            throw ProtoError(.invalidOption, at: bad.location, "Options could not be encoded: \(error)")
        }
    }

    private static func message(
        _ message: inout Google_Protobuf_DescriptorProto, _ rest: ArraySlice<Int32>,
        _ option: [UInt8], _ bad: ProtoError
    ) throws(ProtoError) {
        var path = rest
        guard let head = path.popFirst() else { throw bad }
        if head == 7 {
            try apply(&message.options, option, bad)
            return
        }
        guard let i = path.popFirst() else { throw bad }
        let index = Int(i)
        switch head {
        case 2 where message.field.indices.contains(index):
            try apply(&message.field[index].options, option, bad)
        case 6 where message.extension.indices.contains(index):
            try apply(&message.extension[index].options, option, bad)
        case 8 where message.oneofDecl.indices.contains(index):
            try apply(&message.oneofDecl[index].options, option, bad)
        case 5 where message.extensionRange.indices.contains(index):
            try apply(&message.extensionRange[index].options, option, bad)
        case 3 where message.nestedType.indices.contains(index):
            try Self.message(&message.nestedType[index], path, option, bad)
        case 4 where message.enumType.indices.contains(index):
            try enumOptions(&message.enumType[index], path, option, bad)
        default:
            throw bad
        }
    }

    private static func enumOptions(
        _ enumProto: inout Google_Protobuf_EnumDescriptorProto, _ rest: ArraySlice<Int32>,
        _ option: [UInt8], _ bad: ProtoError
    ) throws(ProtoError) {
        var path = rest
        guard let head = path.popFirst() else { throw bad }
        if head == 3 {
            try apply(&enumProto.options, option, bad)
        } else if head == 2, let i = path.popFirst(), enumProto.value.indices.contains(Int(i)) {
            try apply(&enumProto.value[Int(i)].options, option, bad)
        } else {
            throw bad
        }
    }
}
