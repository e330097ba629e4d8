import Foundation
import TandemProto

/// What the fuzz targets share: where the repository is, and the schema the codec targets decode with.
public enum FuzzSupport {
    /// The repository root (this file is `Fuzz/Sources/FuzzSupport/FuzzSupport.swift`).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The codec fixture schema (every scalar, repeated, packed, map, oneof, nested and enum field; proto2 and
    /// proto3), compiled once.
    public static let codec: Schema = {
        let root = repositoryRoot + "/Tests/Fixtures/wire"
        do {
            let compiled = try ProtoCompiler(importPaths: [root]).compile([
                "codec_test.proto", "codec_test_proto2.proto",
            ])
            return try Schema(files: compiled.files)
        } catch {
            fatalError("the fuzz schema does not compile: \(error)")
        }
    }()

    /// The message types the codec targets pick from with the input's first byte.
    public static let messages: [MessageDescriptor] = codec.messages.filter { !$0.fullName.contains("Entry") }

    /// Splits an input into a selector byte and the rest.
    public static func split(_ data: UnsafeRawPointer, _ count: Int) -> (UInt8, UnsafeRawBufferPointer)? {
        guard count > 0 else { return nil }
        let selector = data.load(as: UInt8.self)
        return (selector, UnsafeRawBufferPointer(start: data + 1, count: count - 1))
    }

    /// Stops the run with a finding: an invariant the code promises does not hold for this input.
    public static func finding(_ message: String) -> Never {
        fatalError("fuzz finding: \(message)")
    }
}
