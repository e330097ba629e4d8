// swift-tools-version:5.3
// libFuzzer targets over Tandem's parsers and decoders: a package of its own, built with the fuzzer and address
// sanitizer, as swift-protobuf's FuzzTesting package is. Build and run with `Fuzz/run.sh` (see Fuzz/README.md).
// Tools version 5.3 on purpose, as FuzzTesting's: a target with a main.swift is then an executable whose entry point
// SwiftPM does not rename, so libFuzzer's own `main` links (with `.executableTarget`, SwiftPM 5.5+ expects a
// `<Target>_main` symbol that `-parse-as-library` code does not have).
import PackageDescription

let tandem: Target.Dependency = .product(name: "Tandem", package: "tandem")
let proto: Target.Dependency = .product(name: "TandemProto", package: "tandem")

let package = Package(
    name: "TandemFuzz",
    dependencies: [.package(name: "tandem", path: "../")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [proto]),
        .target(name: "FuzzProtoParser", dependencies: [proto]),
        .target(name: "FuzzWireDecoder", dependencies: ["FuzzSupport", proto]),
        .target(name: "FuzzJSONParser", dependencies: ["FuzzSupport", proto]),
        .target(name: "FuzzTranscoder", dependencies: ["FuzzSupport", tandem, proto]),
        .target(name: "FuzzTrafficLine", dependencies: [tandem]),
        .target(name: "FuzzPlanLoader", dependencies: ["FuzzSupport", tandem]),
    ],
    swiftLanguageVersions: [.v5]
)
