// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tandem",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TandemProto", targets: ["TandemProto"]),
        .library(name: "Tandem", targets: ["Tandem"]),
        .library(name: "TandemReports", targets: ["TandemReports"]),
        .library(name: "TandemPostgres", targets: ["TandemPostgres"]),
        .library(name: "TandemTesting", targets: ["TandemTesting"]),
        .executable(name: "tandem", targets: ["tandem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "TandemProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "Tandem",
            dependencies: [
                "TandemProto",
                "CSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(name: "TandemReports", dependencies: ["Tandem", "TandemProto"]),
        // PostgreSQL stores for fleets (DESIGN section 10): the only target that links postgres-nio.
        .target(
            name: "TandemPostgres",
            dependencies: [
                "Tandem", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "tandem",
            dependencies: [
                "Tandem",
                "TandemProto",
                "TandemReports",
                "TandemPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // Child process for the store crash tests (Tests/TandemTests/Store/CrashTests.swift): built by
        // `swift build --build-tests`, which builds every target, and found next to the test bundle.
        .executableTarget(
            name: "tandem-store-torture", dependencies: ["Tandem", "TandemPostgres"], path: "Tests/Support/StoreTorture"
        ),
        // Child process for the fleet tests (Tests/TandemTests/Fleet/FleetProcessTests.swift): one instance of a
        // service sharing a fleet ledger.
        .executableTarget(
            name: "tandem-fleet-member",
            dependencies: ["Tandem", "TandemPostgres", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support/FleetMember"
        ),
        // Test helpers shared by the test targets: the protoc oracle, locating built executables.
        .target(
            name: "TandemTestSupport",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/Support/TestSupport"
        ),
        // For tests of code built on Tandem (ours and our users'): in-memory record backend and ledger (the reference
        // the backend contract tests hold every backend to) and a manual clock.
        .target(name: "TandemTesting", dependencies: ["Tandem"]),
        .testTarget(
            name: "TandemProtoTests",
            dependencies: [
                "TandemProto", "Tandem", "TandemTesting", "TandemTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "TandemTests",
            dependencies: [
                "Tandem", "TandemProto", "TandemPostgres", "TandemTesting", "TandemTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TandemReportsTests",
            dependencies: ["TandemReports", "Tandem", "TandemProto", "TandemTesting", "TandemTestSupport"]
        ),
        .testTarget(
            name: "TandemCLITests",
            dependencies: [
                "Tandem", "TandemProto", "TandemTesting", "TandemTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
