// swift-tools-version:6.1
// libFuzzer targets over Tandem's parsers and decoders: a package of its own, built with the fuzzer and address
// sanitizer, as swift-protobuf's FuzzTesting package is. Build and run with `Fuzz/run.sh` (see Fuzz/README.md).
import PackageDescription

let tandem: Target.Dependency = .product(name: "Tandem", package: "tandem")
let proto: Target.Dependency = .product(name: "TandemProto", package: "tandem")

let package = Package(
    name: "TandemFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "tandem", path: "../")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [proto]),
        .executableTarget(name: "FuzzProtoParser", dependencies: [proto]),
        .executableTarget(name: "FuzzWireDecoder", dependencies: ["FuzzSupport", proto]),
        .executableTarget(name: "FuzzJSONParser", dependencies: ["FuzzSupport", proto]),
        .executableTarget(name: "FuzzTranscoder", dependencies: ["FuzzSupport", tandem, proto]),
        .executableTarget(name: "FuzzTrafficLine", dependencies: [tandem]),
        .executableTarget(name: "FuzzPlanLoader", dependencies: ["FuzzSupport", tandem]),
    ],
    swiftLanguageModes: [.v6]
)
