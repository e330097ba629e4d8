import Foundation
import TandemProto
import TandemTestSupport
import Testing

/// `tandem generate-traffic`: the key space is the caller's (issue 21: stores of 200k records need more than 1,500 keys).
@Suite("tandem generate-traffic")
struct GenerateTrafficCommandTests {
    static func distinctKeys(_ arguments: [String]) throws -> Set<String> {
        let plan = CLITest.migrations.appendingPathComponent("user-profile").path
        let result = try Binaries.run(
            "tandem", ["generate-traffic", plan, "--operations", "20000", "--seed", "3"] + arguments)
        try #require(result.status == 0, "\(result.stderr)")
        var keys: Set<String> = []
        for line in result.stdout.split(separator: "\n") {
            if let key = try JSONValue(parsing: String(line))["key"]?.stringValue { keys.insert(key) }
        }
        return keys
    }

    @Test func keysComeFromTheGivenSpace() throws {
        #expect(try Self.distinctKeys([]).count <= 1_500)
        #expect(try Self.distinctKeys(["--keys", "100000"]).count > 5_000)
        #expect(try Self.distinctKeys(["--keys", "7"]).count <= 7)
        let refused = try Binaries.run(
            "tandem",
            ["generate-traffic", CLITest.migrations.appendingPathComponent("user-profile").path, "--keys", "0"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--keys"))
    }
}
