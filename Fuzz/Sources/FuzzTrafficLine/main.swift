import Tandem

/// The traffic line parser on arbitrary bytes: a TrafficError naming the line, or an operation, never a crash.
let parser = TrafficParser(file: "fuzz.jsonl")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrafficLine(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    do {
        let operation = try parser.parse(bytes, line: 1)
        if let key = operation.key, key.utf8.count > 1_024 { fatalError("fuzz finding: an over-long key was accepted") }
    } catch {
        if error.line != 1 { fatalError("fuzz finding: the error names line \(error.line)") }
    }
    return 0
}
