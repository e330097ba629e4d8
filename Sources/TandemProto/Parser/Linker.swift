import Foundation
import SwiftProtobuf

/// Links one parsed file against its already-linked dependencies: registers its symbols, resolves type names
/// with protobuf's scoping rules (innermost scope first), synthesises proto3 `optional` oneofs, fills json names,
/// and checks numbers, names and reserved declarations.
struct Linker {
    var parsed: ParsedFile
    let dependencies: [String: Google_Protobuf_FileDescriptorProto]
    var symbols: SymbolTable
    var visibleFiles: Set<String> = []
    var file: Google_Protobuf_FileDescriptorProto { parsed.proto }
    var isProto3: Bool { parsed.proto.syntax == "proto3" }

    init(parsed: ParsedFile, dependencies: [String: Google_Protobuf_FileDescriptorProto], symbols: SymbolTable) {
        self.parsed = parsed
        self.dependencies = dependencies
        self.symbols = symbols
    }

    func loc(_ path: [Int32]) -> SourceLocation { parsed.location(path) }

    mutating func link() throws(ProtoError) -> Google_Protobuf_FileDescriptorProto {
        visibleFiles = [file.name]
        func addPublic(_ name: String) {
            guard let dependency = dependencies[name] else { return }
            for index in dependency.publicDependency where Int(index) < dependency.dependency.count {
                let publicName = dependency.dependency[Int(index)]
                if visibleFiles.insert(publicName).inserted { addPublic(publicName) }
            }
        }
        for dependency in file.dependency + file.optionDependency {
            visibleFiles.insert(dependency)
            addPublic(dependency)
        }

        try registerSymbols()
        var proto = parsed.proto
        for i in proto.messageType.indices {
            try linkMessage(&proto.messageType[i], scope: proto.package, path: [4, Int32(i)])
        }
        for i in proto.enumType.indices {
            try checkEnum(
                proto.enumType[i], fullName: qualify(proto.package, proto.enumType[i].name), path: [5, Int32(i)])
        }
        for i in proto.extension.indices {
            try linkField(&proto.extension[i], scope: proto.package, path: [7, Int32(i)], message: nil)
        }
        for i in proto.service.indices {
            let serviceName = qualify(proto.package, proto.service[i].name)
            for j in proto.service[i].method.indices {
                let methodPath: [Int32] = [6, Int32(i), 2, Int32(j)]
                let methodName = serviceName + "." + proto.service[i].method[j].name
                proto.service[i].method[j].inputType = try resolveType(
                    proto.service[i].method[j].inputType, relativeTo: methodName, at: loc(methodPath + [2]),
                    wantMessage: true
                ).name
                proto.service[i].method[j].outputType = try resolveType(
                    proto.service[i].method[j].outputType, relativeTo: methodName, at: loc(methodPath + [3]),
                    wantMessage: true
                ).name
            }
        }
        try applyCustomOptions(&proto)
        if proto.syntax == "editions" { try checkFeatures(proto) }
        parsed.proto = proto
        try checkExtensions(proto)
        return proto
    }

    func qualify(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : scope + "." + name }
}
