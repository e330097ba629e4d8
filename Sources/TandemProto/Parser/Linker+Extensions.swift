import Foundation
import SwiftProtobuf

extension Linker {
    // MARK: - Extensions

    func checkExtensions(_ proto: Google_Protobuf_FileDescriptorProto) throws(ProtoError) {
        var declared: [(Google_Protobuf_FieldDescriptorProto, [Int32])] = []
        for (i, ext) in proto.extension.enumerated() { declared.append((ext, [7, Int32(i)])) }
        func collect(_ messages: [Google_Protobuf_DescriptorProto], path: [Int32]) {
            for (i, message) in messages.enumerated() {
                for (j, ext) in message.extension.enumerated() {
                    declared.append((ext, path + [Int32(i), 6, Int32(j)]))
                }
                collect(message.nestedType, path: path + [Int32(i), 3])
            }
        }
        collect(proto.messageType, path: [4])
        for (ext, path) in declared {
            let extendee = String(ext.extendee.dropFirst())
            guard let target = messageProto(named: extendee) else { continue }
            let inRange = target.extensionRange.contains { ext.number >= $0.start && ext.number < $0.end }
            if !inRange {
                throw ProtoError(
                    .numberOutOfRange, at: loc(path + [3]),
                    "\"\(extendee)\" does not declare \(ext.number) as an extension number.")
            }
            if isProto3 && !extendee.hasPrefix("google.protobuf.") {
                throw ProtoError(
                    .invalidDefinition, at: loc(path + [2]),
                    "Extensions in proto3 are only allowed for defining options.")
            }
        }
    }

    func messageProto(named fullName: String) -> Google_Protobuf_DescriptorProto? {
        guard let symbol = symbols[fullName], symbol.kind == .message else { return nil }
        let owner = symbol.file == file.name ? parsed.proto : dependencies[symbol.file]
        guard let owner else { return nil }
        func search(_ messages: [Google_Protobuf_DescriptorProto], scope: String) -> Google_Protobuf_DescriptorProto? {
            for message in messages {
                let name = qualify(scope, message.name)
                if name == fullName { return message }
                if fullName.hasPrefix(name + "."), let found = search(message.nestedType, scope: name) { return found }
            }
            return nil
        }
        return search(owner.messageType, scope: owner.package)
    }
}
