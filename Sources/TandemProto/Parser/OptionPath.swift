import SwiftProtobuf

/// Reaches the options message of the element at a descriptor path (the `SourceCodeInfo` path convention).
enum OptionPath {
    static func append(
        _ option: Google_Protobuf_UninterpretedOption, to file: inout Google_Protobuf_FileDescriptorProto,
        ownerPath: [Int32], kind: OptionKind, at location: SourceLocation
    ) throws(ProtoError) {
        let bad = ProtoError(.invalidOption, at: location, "Option owner not found.")
        var path = ownerPath[...]
        guard let head = path.popFirst() else { throw bad }
        switch head {
        case 8:
            file.options.uninterpretedOption.append(option)
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
                file.service[Int(i)].options.uninterpretedOption.append(option)
            } else if next == 2, let j = path.popFirst(), file.service[Int(i)].method.indices.contains(Int(j)) {
                file.service[Int(i)].method[Int(j)].options.uninterpretedOption.append(option)
            } else {
                throw bad
            }
        case 7:
            guard let i = path.popFirst(), file.extension.indices.contains(Int(i)) else { throw bad }
            file.extension[Int(i)].options.uninterpretedOption.append(option)
        default:
            throw bad
        }
    }

    private static func message(
        _ message: inout Google_Protobuf_DescriptorProto, _ rest: ArraySlice<Int32>,
        _ option: Google_Protobuf_UninterpretedOption, _ bad: ProtoError
    ) throws(ProtoError) {
        var path = rest
        guard let head = path.popFirst() else { throw bad }
        if head == 7 {
            message.options.uninterpretedOption.append(option)
            return
        }
        guard let i = path.popFirst() else { throw bad }
        let index = Int(i)
        switch head {
        case 2 where message.field.indices.contains(index):
            message.field[index].options.uninterpretedOption.append(option)
        case 6 where message.extension.indices.contains(index):
            message.extension[index].options.uninterpretedOption.append(option)
        case 8 where message.oneofDecl.indices.contains(index):
            message.oneofDecl[index].options.uninterpretedOption.append(option)
        case 5 where message.extensionRange.indices.contains(index):
            for r in message.extensionRange.indices where r >= index {
                message.extensionRange[r].options.uninterpretedOption.append(option)
            }
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
        _ option: Google_Protobuf_UninterpretedOption, _ bad: ProtoError
    ) throws(ProtoError) {
        var path = rest
        guard let head = path.popFirst() else { throw bad }
        if head == 3 {
            enumProto.options.uninterpretedOption.append(option)
        } else if head == 2, let i = path.popFirst(), enumProto.value.indices.contains(Int(i)) {
            enumProto.value[Int(i)].options.uninterpretedOption.append(option)
        } else {
            throw bad
        }
    }
}
