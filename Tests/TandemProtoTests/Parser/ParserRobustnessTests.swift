import Foundation
import Tandem
import TandemTestSupport
import Testing

@testable import TandemProto

/// Arbitrary, truncated and mutated input never crashes the compiler: it compiles or throws a `ProtoError`.
@Suite("Parser robustness")
struct ParserRobustnessTests {
    /// A small deterministic generator, so failures reproduce.
    static func corpusTexts() throws -> [String] {
        let root = Oracle.fixtures.appendingPathComponent("corpus/root/acme")
        return try ["scalars2.proto", "proto3_all.proto", "services.proto", "scoping.proto"].map {
            try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)
        }
    }

    private func compileNeverCrashes(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            _ = try ProtoCompiler(importPaths: []).compile(source: text, fileName: "fuzz.proto")
        } catch {
            #expect(!error.message.isEmpty)
            #expect(error.location.file == "fuzz.proto" || !error.location.file.isEmpty)
        }
    }

    @Test func everyTruncationOfCorpusFilesCompilesOrFails() throws {
        for text in try Self.corpusTexts() {
            let bytes = Array(text.utf8)
            var cut = 0
            while cut < bytes.count {
                compileNeverCrashes(Array(bytes[..<cut]))
                cut += 7
            }
        }
    }

    @Test func mutatedCorpusFilesCompileOrFail() throws {
        var rng = SplitMix64(seed: 0x7A4D)
        let alphabet = Array("{}[]()<>;=,.\"'\\/*-+0123456789abcxyz_ \n\tmessage enum oneof map optional repeated".utf8)
        for text in try Self.corpusTexts() {
            let original = Array(text.utf8)
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    let position = Int.random(in: 0..<max(bytes.count, 1), using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where !bytes.isEmpty: bytes.remove(at: position)
                    case 1: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: min(position, bytes.count))
                    default: if !bytes.isEmpty { bytes[position] = UInt8.random(in: 0...255, using: &rng) }
                    }
                }
                compileNeverCrashes(bytes)
            }
        }
    }

    @Test func randomBytesCompileOrFail() {
        var rng = SplitMix64(seed: 42)
        for length in [0, 1, 2, 5, 17, 100, 1000] {
            for _ in 0..<40 {
                compileNeverCrashes((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
        }
    }

    @Test func deeplyNestedMessagesDoNotOverflowTheStack() {
        let depth = 2000
        let source =
            "syntax = \"proto3\";\n" + String(repeating: "message M {", count: depth)
            + String(repeating: "}", count: depth)
        do {
            _ = try ProtoCompiler(importPaths: []).compile(source: source, fileName: "deep.proto")
        } catch {
            #expect(error.message.contains("nest"))
        }
    }
}
