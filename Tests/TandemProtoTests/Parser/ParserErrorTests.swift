import Foundation
import TandemTestSupport
import Testing

@testable import TandemProto

/// Bad `.proto` input is reported with the exact location and a message that names the problem.
@Suite("Parser errors")
struct ParserErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var source: String
        var line: Int
        var column: Int
        var code: ProtoError.Code
        var contains: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "missing semicolon", source: "syntax = \"proto3\";\nmessage M { int32 a = 1 }\n",
            line: 2, column: 25, code: .syntax, contains: "Expected \";\", found \"}\""),
        Case(
            name: "unknown syntax", source: "syntax = \"proto4\";\n", line: 1, column: 10, code: .syntax,
            contains: "Unrecognized syntax identifier \"proto4\""),
        Case(
            name: "unknown edition", source: "edition = \"2025\";\n", line: 1, column: 11, code: .syntax,
            contains: "Unknown edition \"2025\""),
        Case(
            name: "duplicate field number",
            source: "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  int32 b = 1;\n}\n",
            line: 4, column: 13, code: .duplicateNumber,
            contains: "Field number 1 has already been used in \"M\" by field \"a\""),
        Case(
            name: "duplicate field name",
            source: "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  string a = 2;\n}\n",
            line: 4, column: 10, code: .duplicateName, contains: "\"a\" is already defined in \"M\""),
        Case(
            name: "number zero", source: "syntax = \"proto3\";\nmessage M { int32 a = 0; }\n",
            line: 2, column: 23, code: .numberOutOfRange, contains: "positive"),
        Case(
            name: "number too large", source: "syntax = \"proto3\";\nmessage M { int32 a = 536870912; }\n",
            line: 2, column: 23, code: .numberOutOfRange, contains: "cannot be greater than 536870911"),
        Case(
            name: "implementation-reserved number", source: "syntax = \"proto3\";\nmessage M { int32 a = 19500; }\n",
            line: 2, column: 23, code: .numberOutOfRange, contains: "19000 through 19999"),
        Case(
            name: "reserved number used",
            source: "syntax = \"proto3\";\nmessage M {\n  reserved 2 to 4;\n  int32 a = 3;\n}\n",
            line: 4, column: 13, code: .reservedUsed, contains: "Field \"a\" uses reserved number 3"),
        Case(
            name: "reserved name used",
            source: "syntax = \"proto3\";\nmessage M {\n  reserved \"a\";\n  int32 a = 3;\n}\n",
            line: 4, column: 9, code: .reservedUsed, contains: "Field name \"a\" is reserved"),
        Case(
            name: "unknown type", source: "syntax = \"proto3\";\nmessage M {\n  Missing a = 1;\n}\n",
            line: 3, column: 3, code: .unresolvedType, contains: "\"Missing\" is not defined"),
        Case(
            name: "innermost scope wins",
            source:
                "syntax = \"proto3\";\npackage a.b;\nmessage T {}\nmessage b { int32 x = 1; }\nmessage M {\n  b.T t = 1;\n}\n",
            line: 6, column: 3, code: .unresolvedType, contains: "is resolved to \"a.b.b.T\", which is not defined"),
        Case(
            name: "field is not a type", source: "syntax = \"proto3\";\nmessage M {\n  int32 x = 1;\n  M.x y = 2;\n}\n",
            line: 4, column: 3, code: .unresolvedType, contains: "is not a type"),
        Case(
            name: "required in proto3", source: "syntax = \"proto3\";\nmessage M {\n  required int32 a = 1;\n}\n",
            line: 3, column: 3, code: .invalidDefinition, contains: "Required fields are not allowed in proto3"),
        Case(
            name: "default in proto3", source: "syntax = \"proto3\";\nmessage M {\n  int32 a = 1 [default = 3];\n}\n",
            line: 3, column: 16, code: .invalidDefinition, contains: "Explicit default values are not allowed in proto3"
        ),
        Case(
            name: "proto3 enum must start at zero", source: "syntax = \"proto3\";\nenum E {\n  A = 1;\n}\n",
            line: 3, column: 7, code: .invalidDefinition, contains: "first enum value must be zero"),
        Case(
            name: "enum alias without allow_alias", source: "syntax = \"proto3\";\nenum E {\n  A = 0;\n  B = 0;\n}\n",
            line: 4, column: 7, code: .duplicateNumber, contains: "uses the same enum value as \"A\""),
        Case(
            name: "enum value names are siblings",
            source: "syntax = \"proto3\";\nenum E { X = 0; }\nenum F { X = 0; }\n",
            line: 3, column: 10, code: .duplicateName, contains: "C++ scoping rules"),
        Case(
            name: "unknown option", source: "syntax = \"proto3\";\noption java_packag = \"x\";\n",
            line: 2, column: 8, code: .invalidOption, contains: "Option \"java_packag\" unknown"),
        Case(
            name: "option set twice",
            source: "syntax = \"proto3\";\noption java_package = \"x\";\noption java_package = \"y\";\n",
            line: 3, column: 8, code: .invalidOption, contains: "was already set"),
        Case(
            name: "option of the wrong type", source: "syntax = \"proto3\";\noption java_multiple_files = \"yes\";\n",
            line: 2, column: 30, code: .invalidOption, contains: "wrong type"),
        Case(
            name: "unterminated comment", source: "syntax = \"proto3\";\n/* never closed\nmessage M {}\n",
            line: 2, column: 1, code: .syntax, contains: "End-of-file inside block comment"),
        Case(
            name: "string across lines", source: "syntax = \"proto3\";\noption java_package = \"a\nb\";\n",
            line: 2, column: 25, code: .syntax, contains: "String literals cannot cross line boundaries"),
        Case(
            name: "tabs advance to multiples of 8", source: "syntax = \"proto3\";\nmessage M {\n\tint32 a = 1\n}\n",
            line: 4, column: 1, code: .syntax, contains: "Expected \";\""),
        Case(
            name: "map key must be integral or string",
            source: "syntax = \"proto3\";\nmessage M {\n  map<double, int32> m = 1;\n}\n",
            line: 3, column: 7, code: .invalidDefinition, contains: "Key in map fields"),
        Case(
            name: "extension outside declared ranges",
            source:
                "syntax = \"proto2\";\nmessage M { extensions 10 to 20; }\nextend M {\n  optional int32 x = 30;\n}\n",
            line: 4, column: 22, code: .numberOutOfRange, contains: "does not declare 30 as an extension number"),
        Case(
            name: "json name conflict in proto3",
            source: "syntax = \"proto3\";\nmessage M {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}\n",
            line: 4, column: 9, code: .duplicateName, contains: "JSON camel-case name"),
        Case(
            name: "field number overflow", source: "syntax = \"proto3\";\nmessage M { int32 a = 99999999999; }\n",
            line: 2, column: 23, code: .numberOutOfRange, contains: "Integer out of range"),
        Case(
            name: "missing import", source: "syntax = \"proto3\";\nimport \"nowhere/missing.proto\";\n",
            line: 2, column: 8, code: .importNotFound, contains: "Import \"nowhere/missing.proto\" was not found"),
    ]

    @Test("error with exact location", arguments: cases)
    func reportsErrorAtLocation(_ testCase: Case) {
        do {
            _ = try ProtoCompiler(importPaths: []).compile(source: testCase.source, fileName: "test.proto")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == testCase.code)
            #expect(
                error.location == SourceLocation(file: "test.proto", line: testCase.line, column: testCase.column),
                "\(error)")
            #expect(error.message.contains(testCase.contains), "\(error)")
            #expect(error.description.hasPrefix("test.proto:\(testCase.line):\(testCase.column): "))
        }
    }

    @Test func importCycleIsReportedAtTheImport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "syntax = \"proto3\";\nimport \"b.proto\";\n".write(
            to: directory.appendingPathComponent("a.proto"), atomically: true, encoding: .utf8)
        try "syntax = \"proto3\";\n\nimport \"a.proto\";\n".write(
            to: directory.appendingPathComponent("b.proto"), atomically: true, encoding: .utf8)
        #expect {
            try ProtoCompiler(importPaths: [directory.path]).compile(["a.proto"])
        } throws: { error in
            guard let error = error as? ProtoError else { return false }
            return error.code == .importCycle && error.location == SourceLocation(file: "b.proto", line: 3, column: 8)
                && error.message.contains("a.proto -> b.proto -> a.proto")
        }
    }

    @Test func typeFromUnimportedFileIsNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "syntax = \"proto3\";\npackage p;\nmessage Hidden {}\n".write(
            to: directory.appendingPathComponent("hidden.proto"), atomically: true, encoding: .utf8)
        try "syntax = \"proto3\";\npackage p;\nimport \"hidden.proto\";\nmessage Mid {}\n".write(
            to: directory.appendingPathComponent("mid.proto"), atomically: true, encoding: .utf8)
        try "syntax = \"proto3\";\npackage p;\nimport \"mid.proto\";\nmessage Top { Hidden h = 1; }\n".write(
            to: directory.appendingPathComponent("top.proto"), atomically: true, encoding: .utf8)
        #expect {
            try ProtoCompiler(importPaths: [directory.path]).compile(["top.proto"])
        } throws: { error in
            guard let error = error as? ProtoError else { return false }
            return error.code == .unresolvedType
                && error.location == SourceLocation(file: "top.proto", line: 4, column: 15)
                && error.message.contains("which is not imported by \"top.proto\"")
        }
    }
}
