import Foundation
import TandemTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19: a large `.proto` must not take memory out of proportion to its size (a 50 MB file took 4-5 GB, then
/// 1.4 GB; `schema` now keeps no source locations and streams its listing).
@Suite("tandem schema memory", .serialized)
struct SchemaMemoryTests {
    /// A schema of about `bytes` bytes: messages of eight commented string fields, a repeated field, a map and a
    /// reference to the previous message (the shape the issue measured).
    static func largeSchema(bytes: Int) -> String {
        var out = "syntax = \"proto3\";\npackage big.v1;\n\n"
        var index = 0
        while out.utf8.count < bytes {
            out += "// Message number \(index), generated to make a large schema.\nmessage M\(index) {\n"
            for field in 1...8 {
                out += "  string field_\(field)_name_of_message_\(index) = \(field); // a trailing comment\n"
            }
            out += "  repeated int64 counts = 9;\n  map<string, int32> attrs = 10;\n"
            out += "  M\(max(index - 1, 0)) previous = 11;\n}\n\n"
            index += 1
        }
        return out
    }

    /// Runs the tandem binary with `arguments`, its output discarded; returns the exit status and the peak resident set
    /// size in bytes (from wait4's rusage).
    static func peakRSS(_ arguments: [String]) throws -> (status: Int32, bytes: Int) {
        let binary = try Binaries.url("tandem").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        try #require(spawned == 0, "posix_spawn failed: \(spawned)")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        // ru_maxrss is in kilobytes on Linux.
        return ((status >> 8) & 0xFF, Int(usage.ru_maxrss) * 1024)
    }

    @Test func aLargeSchemaIsListedInMemoryProportionalToItsSize() throws {
        let directory = try CLITest.temporaryDirectory("schema-memory")
        defer { try? FileManager.default.removeItem(at: directory) }
        let size = 10 << 20
        try Self.largeSchema(bytes: size).write(
            to: directory.appendingPathComponent("big.proto"), atomically: true, encoding: .utf8)
        let run = try Self.peakRSS(
            ["schema", "-I", directory.path, directory.appendingPathComponent("big.proto").path])
        #expect(run.status == 0)
        // Debug build: 10 MB measured 188 MB (18 times its size; 50 MB: 803 MB, README), and 329 MB (31 times) when
        // the compiler kept every element's location and the listing was built whole.
        #expect(run.bytes < 24 * size, "peak RSS \(run.bytes / (1 << 20)) MB for a \(size >> 20) MB schema")
    }

    @Test func anErrorInALargeSchemaStillSaysWhere() throws {
        let directory = try CLITest.temporaryDirectory("schema-error")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Without locations the compiler parses a failing file again to say where: a linker error and a parser error.
        var text = Self.largeSchema(bytes: 4_000)
        text += "message Broken {\n  Missing field = 1;\n}\n"
        try text.write(to: directory.appendingPathComponent("broken.proto"), atomically: true, encoding: .utf8)
        let linked = try Binaries.run("tandem", ["schema", "broken.proto"], in: directory)
        #expect(linked.status == 2)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("Missing") }
        #expect(
            linked.stderr.contains("broken.proto:\((line ?? 0) + 1):3: \"Missing\" is not defined."), "\(linked.stderr)"
        )
        let extendText =
            "syntax = \"proto2\";\nmessage A { extensions 10 to 20; }\nextend A {\n  required int32 x = 10;\n}\n"
        try extendText.write(to: directory.appendingPathComponent("ext.proto"), atomically: true, encoding: .utf8)
        let parsed = try Binaries.run("tandem", ["schema", "ext.proto"], in: directory)
        #expect(parsed.status == 2)
        #expect(parsed.stderr.contains("ext.proto:4:3:"), "\(parsed.stderr)")
    }
}
