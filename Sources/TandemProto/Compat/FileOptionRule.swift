import SwiftProtobuf

/// A file option buf's `FILE` category keeps (`FILE_SAME_GO_PACKAGE` ...): its rule id, its name in `.proto` text,
/// its field number in `FileOptions` (where a finding points), and its value with the default applied.
struct FileOptionRule: Sendable {
    let id: String
    let option: String
    let number: Int32
    let value: @Sendable (Google_Protobuf_FileOptions) -> String

    /// An enum value as `.proto` text spells it (`LITE_RUNTIME` for Swift's `liteRuntime`).
    static func protoName(_ value: some Any) -> String {
        var name = ""
        for character in String(describing: value) {
            if character.isUppercase && !name.isEmpty { name.append("_") }
            name.append(contentsOf: character.uppercased())
        }
        return name
    }

    static let all: [FileOptionRule] = [
        FileOptionRule(id: "FILE_SAME_JAVA_PACKAGE", option: "java_package", number: 1) { $0.javaPackage },
        FileOptionRule(id: "FILE_SAME_JAVA_OUTER_CLASSNAME", option: "java_outer_classname", number: 8) {
            $0.javaOuterClassname
        },
        FileOptionRule(id: "FILE_SAME_JAVA_MULTIPLE_FILES", option: "java_multiple_files", number: 10) {
            "\($0.javaMultipleFiles)"
        },
        FileOptionRule(id: "FILE_SAME_OPTIMIZE_FOR", option: "optimize_for", number: 9) {
            protoName($0.optimizeFor)
        },
        FileOptionRule(id: "FILE_SAME_GO_PACKAGE", option: "go_package", number: 11) { $0.goPackage },
        FileOptionRule(id: "FILE_SAME_CC_GENERIC_SERVICES", option: "cc_generic_services", number: 16) {
            "\($0.ccGenericServices)"
        },
        FileOptionRule(id: "FILE_SAME_JAVA_GENERIC_SERVICES", option: "java_generic_services", number: 17) {
            "\($0.javaGenericServices)"
        },
        FileOptionRule(id: "FILE_SAME_PY_GENERIC_SERVICES", option: "py_generic_services", number: 18) {
            "\($0.pyGenericServices)"
        },
        FileOptionRule(id: "FILE_SAME_CC_ENABLE_ARENAS", option: "cc_enable_arenas", number: 31) {
            "\($0.ccEnableArenas)"
        },
        FileOptionRule(id: "FILE_SAME_OBJC_CLASS_PREFIX", option: "objc_class_prefix", number: 36) {
            $0.objcClassPrefix
        },
        FileOptionRule(id: "FILE_SAME_CSHARP_NAMESPACE", option: "csharp_namespace", number: 37) {
            $0.csharpNamespace
        },
        FileOptionRule(id: "FILE_SAME_SWIFT_PREFIX", option: "swift_prefix", number: 39) { $0.swiftPrefix },
        FileOptionRule(id: "FILE_SAME_PHP_CLASS_PREFIX", option: "php_class_prefix", number: 40) {
            $0.phpClassPrefix
        },
        FileOptionRule(id: "FILE_SAME_PHP_NAMESPACE", option: "php_namespace", number: 41) { $0.phpNamespace },
        FileOptionRule(id: "FILE_SAME_PHP_METADATA_NAMESPACE", option: "php_metadata_namespace", number: 44) {
            $0.phpMetadataNamespace
        },
        FileOptionRule(id: "FILE_SAME_RUBY_PACKAGE", option: "ruby_package", number: 45) { $0.rubyPackage },
    ]
}
