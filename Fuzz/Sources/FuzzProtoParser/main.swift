import TandemProto

/// The .proto compiler (tokenizer, parser, linker) on arbitrary text: it must answer with a ProtoError or a
/// descriptor, never crash, hang or exhaust memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtoParser(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    let compiler = ProtoCompiler(importPaths: ["/nonexistent-fuzz-root"])
    if let compiled = try? compiler.compile(source: text, fileName: "fuzz.proto") {
        // A file that compiles builds a schema (or a typed SchemaError).
        _ = try? Schema(files: compiled.files)
    }
    return 0
}
