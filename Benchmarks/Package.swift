// swift-tools-version: 6.1
// The benchmarks of Tandem: a package of its own so that the library does not depend on package-benchmark.
// Run from the repository root: `swift package --package-path Benchmarks benchmark` (release build).
import PackageDescription

let benchmarkPlugin: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "TandemBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // An explicit name: CI clones the repository into a folder that is not called "tandem".
        .package(name: "tandem", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // Generated-code baselines (the code in Benchmarks/*/Generated is protoc-gen-swift 1.39.0 output).
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        // The PostgreSQL stores benchmark's baseline writes with postgres-nio directly.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Shared helpers: locating the repository, ratios, percentiles, temporary store files.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Sources/BenchmarkSupport"
        ),
        // Writes a writes-only traffic file with a large key space (the CLI's generate-traffic keeps 1500 keys),
        // for the verify and memory scripts.
        .executableTarget(
            name: "tandem-bench-traffic",
            dependencies: [.product(name: "Tandem", package: "tandem")],
            path: "Sources/tandem-bench-traffic"
        ),
        .executableTarget(
            name: "Wire",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TandemProto", package: "tandem"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/Wire",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "Engine",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tandem", package: "tandem"),
                .product(name: "TandemProto", package: "tandem"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/Engine",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "Stores",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tandem", package: "tandem"),
                .product(name: "TandemPostgres", package: "tandem"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Stores",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "ReadPath",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tandem", package: "tandem"),
            ],
            path: "Benchmarks/ReadPath",
            plugins: benchmarkPlugin
        ),
    ],
    swiftLanguageModes: [.v6]
)
