import SwiftProtobuf
import TandemProto

/// The human-readable listing `tandem schema` prints: each message of the compiled files with its fields.
enum SchemaListing {
    static func render(_ files: [Google_Protobuf_FileDescriptorProto], schema: Schema) -> String {
        var out = ""
        write(files, schema: schema) { out += $0 }
        return out
    }

    /// Hands the listing to `emit` a message at a time, so that a huge schema's listing is never held whole.
    static func write(
        _ files: [Google_Protobuf_FileDescriptorProto], schema: Schema, to emit: (String) -> Void
    ) {
        var out = ""
        func flush() {
            emit(out)
            out = ""
        }
        for file in files {
            out +=
                "\(file.name) (\(Self.syntax(of: file))\(file.package.isEmpty ? "" : ", package \(file.package)"))\n"
            let prefix = file.package.isEmpty ? "" : file.package + "."
            var names: [String] = []
            func collect(_ messages: [Google_Protobuf_DescriptorProto], scope: String) {
                for message in messages where !message.options.mapEntry {
                    names.append(scope + message.name)
                    collect(message.nestedType, scope: scope + message.name + ".")
                }
            }
            collect(file.messageType, scope: prefix)
            for name in names {
                guard let message = schema.message(named: name) else { continue }
                out += "  message \(name)\n"
                for field in message.fields {
                    out += "    \(field.number)  \(field.name)  \(describe(field, in: message, schema: schema))\n"
                }
                if out.utf8.count >= 1 << 16 { flush() }
            }
            for enumProto in file.enumType {
                out +=
                    "  enum \(prefix)\(enumProto.name): "
                    + enumProto.value.map { "\($0.name)=\($0.number)" }.joined(separator: " ") + "\n"
            }
        }
        flush()
    }

    /// `proto2`, `proto3` or `edition 2023`.
    private static func syntax(of file: Google_Protobuf_FileDescriptorProto) -> String {
        switch file.syntax {
        case "": return "proto2"
        case "editions": return "edition " + EditionRules.editionName(file.edition)
        default: return file.syntax
        }
    }

    private static func describe(_ field: FieldDescriptor, in message: MessageDescriptor, schema: Schema) -> String {
        var type = field.typeName ?? field.type.protoName
        if field.isMap, let entry = schema.messageType(of: field), entry.fields.count == 2 {
            let key = entry.fields[0]
            let value = entry.fields[1]
            type = "map<\(key.typeName ?? key.type.protoName), \(value.typeName ?? value.type.protoName)>"
        } else if field.isRepeated {
            type = "repeated " + type + (field.isPacked ? " (packed)" : "")
        }
        var notes: [String] = []
        if field.hasPresence && !field.isRepeated { notes.append("explicit presence") }
        if field.isProto3Optional {
            notes.append("proto3 optional")
        } else if let oneof = field.oneofIndex, oneof < message.oneofs.count {
            notes.append("oneof \(message.oneofs[oneof].name)")
        }
        if field.cardinality == .required { notes.append("required") }
        // A proto2 group or an editions field with DELIMITED message encoding: start and end tags on the wire.
        if field.type == .group { notes.append("group encoding") }
        if field.isExtension { notes.append("extension") }
        if let text = field.defaultValueText { notes.append("default \(text)") }
        if !field.isExtension && field.jsonName != ProtoNames.jsonName(field.name) {
            notes.append("json \(field.jsonName)")
        }
        return notes.isEmpty ? type : type + "  [" + notes.joined(separator: ", ") + "]"
    }
}
