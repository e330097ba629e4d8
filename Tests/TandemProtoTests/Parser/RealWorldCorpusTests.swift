import Foundation
import SwiftProtobuf
import TandemTestSupport
import Testing

@testable import TandemProto

/// Schemas shaped like large public APIs (HTTP rules, field behaviours, resources, validation rules, company
/// annotations) compile to protoc's descriptor bytes, custom options included; bad options are reported at the
/// option's name with protoc's wording.
@Suite("Real-world corpus parity with protoc")
struct RealWorldCorpusTests {
    /// The annotation definitions, as a `third_party` directory of a real repository holds them.
    static let thirdParty = [
        "acme/annotations.proto", "acme/metadata_ext.proto", "google/api/annotations.proto",
        "google/api/client.proto", "google/api/field_behavior.proto", "google/api/http.proto",
        "google/api/launch_stage.proto", "google/api/resource.proto", "google/longrunning/operations.proto",
        "validate/validate.proto",
    ]

    /// The APIs that use them, importing across the two roots.
    static let apis = [
        "acme/billing/v1/invoice.proto", "acme/events/v1/events.proto", "acme/inventory/v1/inventory.proto",
        "acme/options/aggregate_extensions.proto", "acme/options/angle_brackets.proto",
        "acme/options/any_expansion.proto",
        "acme/options/builtin_mix.proto", "acme/options/extension_subpaths.proto",
        "acme/options/text_format_quirks.proto",
        "acme/options/enums.proto", "acme/options/extension_ranges.proto", "acme/options/groups.proto",
        "acme/options/local_extensions.proto", "acme/options/maps.proto", "acme/options/oneofs.proto",
        "acme/options/public_reexport.proto", "acme/options/scalars.proto", "acme/options/services.proto",
        "acme/options/special_floats.proto", "acme/options/strings.proto", "acme/options/subfield_paths.proto",
        "acme/options/uses_reexport.proto", "compute/v1/compute.proto", "library/v1/library.proto",
        "library/v1/resources.proto", "library/v2/library_lro.proto", "pubsub/v1/pubsub.proto",
        "storage/v2/storage.proto", "validate_examples/collections.proto", "validate_examples/disabled.proto",
        "validate_examples/geo.proto", "validate_examples/numbers.proto", "validate_examples/user.proto",
        "validate_examples/well_known.proto",
    ]

    static let corpusFiles = thirdParty + apis

    static var directory: URL { Oracle.fixtures.appendingPathComponent("realworld") }
    static var importPaths: [String] { ["apis", "third_party"].map { directory.appendingPathComponent($0).path } }

    @Test("each real-world file equals protoc's descriptor", arguments: corpusFiles)
    func fileEqualsOracle(file: String) throws {
        try compare(file, includeImports: false)
    }

    @Test("each real-world file with its imports equals protoc's --include_imports", arguments: corpusFiles)
    func fileWithImportsEqualsOracle(file: String) throws {
        try compare(file, includeImports: true)
    }

    /// A file added to the corpus directory without being listed here would never be compared.
    @Test func everyFileInTheCorpusIsListed() throws {
        func protos(under root: String) throws -> [String] {
            let base = Self.directory.appendingPathComponent(root)
            let enumerator = FileManager.default.enumerator(atPath: base.path)
            var found: [String] = []
            while let path = enumerator?.nextObject() as? String {
                if path.hasSuffix(".proto") { found.append(path) }
            }
            return found.sorted()
        }
        #expect(try protos(under: "third_party") == Self.thirdParty.sorted())
        #expect(try protos(under: "apis") == Self.apis.sorted())
        #expect(Self.corpusFiles.count >= 30)
    }

    private func compare(_ file: String, includeImports: Bool) throws {
        let ours = try ProtoCompiler(importPaths: Self.importPaths).compile([file])
            .descriptorSet(includeImports: includeImports).file
        // protoc is given the path on disk and names the file relative to the root that holds it.
        let root = Self.thirdParty.contains(file) ? "third_party" : "apis"
        var arguments = ["-Iapis", "-Ithird_party", "\(root)/\(file)"]
        if includeImports { arguments.insert("--include_imports", at: 0) }
        let oracle = try Oracle.files(Oracle.descriptorSet(arguments, in: Self.directory))
        #expect(ours.map(\.name) == oracle.map(\.0))
        for (descriptor, (name, expected)) in zip(ours, oracle) {
            let actual: [UInt8] = try descriptor.serializedBytes()
            guard actual != expected else { continue }
            let expectedText =
                (try? Google_Protobuf_FileDescriptorProto(serializedBytes: expected))?.textFormatString() ?? ""
            let actualText = descriptor.textFormatString()
            Issue.record("\(name) differs from protoc.\n\(Self.lineDiff(expected: expectedText, actual: actualText))")
        }
    }

    /// The lines only one side has, in file order, each with the nearest `name:` above it so that the element is
    /// recognisable; when the text agrees but the bytes do not (field order, packing), says so.
    static func lineDiff(expected: String, actual: String) -> String {
        let left = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let right = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let difference = right.difference(from: left)
        guard !difference.isEmpty else { return "the text formats agree; the bytes differ" }
        func owner(_ lines: [Substring], before offset: Int) -> String {
            let name = lines[..<offset].last { $0.trimmingCharacters(in: .whitespaces).hasPrefix("name: ") }
            return name.map { "[\($0.trimmingCharacters(in: .whitespaces))] " } ?? ""
        }
        var removed: [(Int, String)] = []
        var inserted: [(Int, String)] = []
        for change in difference {
            switch change {
            case .remove(let offset, let line, _):
                removed.append((offset, "- protoc \(offset + 1): \(owner(left, before: offset))\(line)"))
            case .insert(let offset, let line, _):
                inserted.append((offset, "+ ours   \(offset + 1): \(owner(right, before: offset))\(line)"))
            }
        }
        return (removed.sorted { $0.0 < $1.0 } + inserted.sorted { $0.0 < $1.0 }).map(\.1).joined(separator: "\n")
    }

    // MARK: - Option errors

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var name: String
        /// The options of field `f`, or a whole line when `line` is set.
        var options: String = ""
        var line: String? = nil
        var column: Int
        var contains: String
        var testDescription: String { name }

        /// Line 14 is the line under test.
        var source: String {
            """
            syntax = "proto2";
            import "google/protobuf/descriptor.proto";
            enum Color { RED = 0; GREEN = 1; }
            message Sub { optional int32 a = 1; }
            extend google.protobuf.FieldOptions {
              optional int32 i = 50000;
              optional uint32 u = 50001;
              optional string s = 50002;
              optional Color e = 50003;
              optional Sub m = 50004;
              repeated Sub rm = 50005; optional double d = 50006;
            }
            message M {
            \(line ?? "  optional int32 f = 1 [\(options)];")
            }

            """
        }
    }

    // Columns: the field's options start at column 25; a message option's name at column 10.
    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "same option set twice under two spellings", options: "(i) = 1, (.i) = 2", column: 34,
            contains: "Option \"(.i)\" was already set."),
        ErrorCase(
            name: "sub-field path then an aggregate", options: "(m).a = 1, (m) = {a: 2}", column: 36,
            contains: "Option \"(m)\" was already set."),
        ErrorCase(
            name: "aggregate then the same sub-field", options: "(m) = {a: 1}, (m).a = 2", column: 39,
            contains: "Option \"(m).a\" was already set."),
        ErrorCase(
            name: "infinity is only a text-format spelling", line: "  optional int32 f = 1 [(d) = infinity];",
            column: 25, contains: "Value must be number for double option \"(d)\""),
        ErrorCase(
            name: "unknown extension", options: "(nope) = 1", column: 25,
            contains: "Option \"(nope)\" unknown. Ensure that your proto definition file imports"),
        ErrorCase(
            name: "string for an int32", options: "(i) = \"x\"", column: 25,
            contains: "Value must be integer for int32 option \"(i)\""),
        ErrorCase(
            name: "identifier for a string", options: "(s) = hello", column: 25,
            contains: "Value must be quoted string for string option \"(s)\""),
        ErrorCase(
            name: "int32 out of range", options: "(i) = 2147483648", column: 25,
            contains: "Value out of range for int32 option \"(i)\""),
        ErrorCase(
            name: "negative uint32", options: "(u) = -1", column: 25,
            contains: "Value out of range for uint32 option \"(u)\""),
        ErrorCase(
            name: "float for an int32", options: "(i) = 1.5", column: 25,
            contains: "Value must be integer for int32 option \"(i)\""),
        ErrorCase(
            name: "unknown enum value name", options: "(e) = PURPLE", column: 25,
            contains: "Enum type \"Color\" has no value named \"PURPLE\" for option \"(e)\""),
        ErrorCase(
            name: "option set twice", options: "(i) = 1, (i) = 2", column: 34,
            contains: "Option \"(i)\" was already set."),
        ErrorCase(
            name: "sub-field that does not exist", options: "(m).b = 1", column: 25,
            contains: "Option field \"b\" is not a field or extension of message \"Sub\""),
        ErrorCase(
            name: "sub-field of a scalar", options: "(m).a.x = 1", column: 25,
            contains: "Option \"(m).a\" is an atomic type, not a message."),
        ErrorCase(
            name: "repeated message option set by sub-field path", options: "(rm).a = 1", column: 25,
            contains:
                "Option field \"(rm)\" is a repeated message. Repeated message options must be initialized using an aggregate value."
        ),
        ErrorCase(
            name: "aggregate for a scalar option", options: "(i) = {a: 1}", column: 25,
            contains: "Option \"(i)\" is an atomic type, not a message"),
        ErrorCase(
            name: "unknown field inside an aggregate", options: "(m) = {b: 1}", column: 25,
            contains: "message type \"Sub\" has no field named \"b\""),
        ErrorCase(
            name: "FieldOptions extension used as a message option", line: "  option (i) = 1;", column: 10,
            contains: "Option field \"(i)\" is not a field or extension of message \"MessageOptions\"."),
        ErrorCase(
            name: "message used as an option name", options: "(Sub) = 1", column: 25,
            contains: "\"(Sub)\" is not a field or extension of message \"FieldOptions\""),
    ]

    @Test("option error at the option's name", arguments: errorCases)
    func optionErrorIsReportedAtTheName(_ testCase: ErrorCase) throws {
        // protoc rejects every case too; checked so that the table cannot drift into accepting valid input.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "option-error-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try testCase.source.write(to: directory.appendingPathComponent("test.proto"), atomically: true, encoding: .utf8)
        #expect(throws: Oracle.Failure.self) { try Oracle.descriptorSet(["-I.", "test.proto"], in: directory) }

        do {
            _ = try ProtoCompiler(importPaths: []).compile(source: testCase.source, fileName: "test.proto")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidOption, "\(error)")
            #expect(error.location == SourceLocation(file: "test.proto", line: 14, column: testCase.column), "\(error)")
            #expect(error.message.contains(testCase.contains), "\(error)")
        }
    }
}
