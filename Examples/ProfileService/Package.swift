// swift-tools-version:6.1
import PackageDescription

// A small Hummingbird 2 service that links Tandem in: dual-writes user profiles through `TandemMigration`,
// shadow-reads them, and serves `/metrics` (Prometheus) and `/tandem/status`. See README.md.
let package = Package(
    name: "ProfileService",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tandem", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "ProfileService",
            dependencies: [
                .product(name: "Tandem", package: "tandem"),
                .product(name: "TandemReports", package: "tandem"),
                .product(name: "TandemPostgres", package: "tandem"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
