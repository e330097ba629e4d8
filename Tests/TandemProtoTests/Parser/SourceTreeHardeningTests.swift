import Foundation
import Testing

@testable import TandemProto

/// Issue 19: paths a `.proto` import or a command line may name that must not be read, or must say what they are.
@Suite("Source tree hardening")
struct SourceTreeHardeningTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: ["/etc/passwd", "../../../../etc/passwd", "sub/../../outside.proto"])
    func anImportOutsideTheImportRootsIsNotRead(path: String) throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        // A file the climbing path would reach from inside the root.
        try "syntax = \"proto3\";\nmessage Secret {}\n".write(
            to: root.deletingLastPathComponent().appendingPathComponent("outside.proto"), atomically: true,
            encoding: .utf8)
        try "syntax = \"proto3\";\nimport \"\(path)\";\n".write(
            to: root.appendingPathComponent("a.proto"), atomically: true, encoding: .utf8)
        #expect {
            try ProtoCompiler(importPaths: [root.path]).compile(["a.proto"])
        } throws: { error in
            guard let error = error as? ProtoError else { return false }
            return error.code == .importNotFound && error.message.contains("Import \"\(path)\" was not found")
        }
    }

    @Test func aDirectoryOrADeviceIsNotAProtoFileAndSaysSo() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("dir.proto"), withIntermediateDirectories: true)
        #expect {
            try ProtoCompiler(importPaths: [root.path]).compile(["dir.proto"])
        } throws: { error in
            (error as? ProtoError)?.message.contains("is a directory") == true
        }
        #expect {
            try ProtoCompiler(importPaths: ["/dev"]).compile(["zero"])
        } throws: { error in
            (error as? ProtoError)?.message.contains("is not a regular file") == true
        }
    }
}
