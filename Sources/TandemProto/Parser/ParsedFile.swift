import SwiftProtobuf

/// One `.proto` file after parsing and before linking: its descriptor with type names as written, and the
/// locations of its elements for error messages.
struct ParsedFile: Sendable {
    /// The descriptor; type references are unresolved (as written) until the linker runs.
    var proto: Google_Protobuf_FileDescriptorProto
    /// Locations by descriptor path (as in `SourceCodeInfo`: field numbers and indices of descriptor.proto),
    /// e.g. `[4, 0, 2, 1, 6]` is the type name of field 1 of message 0.
    var locations: [[Int32]: SourceLocation]
    /// Where each import statement is, by dependency index.
    var importLocations: [SourceLocation]
    /// Where each `import option` statement is, by option dependency index.
    var optionImportLocations: [SourceLocation] = []
    /// Custom (parenthesised) options, kept for interpretation: the descriptor path of the options owner and
    /// the option as written.
    var customOptions: [PendingOption]
    /// Location of the syntax statement or the start of the file.
    var fileLocation: SourceLocation
    /// Features with source retention that the file sets (protoc leaves them out of descriptors), by the
    /// descriptor path of the options that set them (e.g. `[8]` for the file's, `[4, 0, 7]` for message 0's).
    var sourceFeatures: [[Int32]: Google_Protobuf_FeatureSet] = [:]

    /// The location recorded for `path`, or the closest recorded ancestor's, or the file start.
    func location(_ path: [Int32]) -> SourceLocation {
        var p = path
        while !p.isEmpty {
            if let found = locations[p] { return found }
            p.removeLast()
        }
        return fileLocation
    }
}

/// A custom option as written, waiting for the option interpreter.
struct PendingOption: Sendable {
    /// Descriptor path of the element that owns the options (e.g. `[4, 0, 2, 1]` for a field).
    var ownerPath: [Int32]
    /// Which options message it goes into.
    var kind: OptionKind
    /// The option name as written.
    var name: [OptionNamePart]
    /// The value as written.
    var value: OptionValue
    /// Where the option name starts.
    var location: SourceLocation
}

/// Which `*Options` message an option belongs to.
enum OptionKind: Sendable {
    case file, message, field, oneof, `enum`, enumValue, service, method, extensionRange
}

/// One dotted component of an option name: `java_package`, or `(acme.http)` for an extension.
struct OptionNamePart: Sendable, Equatable {
    var name: String
    var isExtension: Bool
}

/// An option value as written in the `.proto` file.
indirect enum OptionValue: Sendable {
    /// An identifier: an enum value name, `true`, `false`, `inf`, `nan`.
    case identifier(String, negative: Bool)
    /// An integer literal with its sign.
    case integer(text: String, negative: Bool)
    /// A floating point literal with its sign.
    case float(text: String, negative: Bool)
    /// A string literal (adjacent literals concatenated), unescaped.
    case string([UInt8])
    /// An aggregate `{ ... }` in text format, as raw text.
    case aggregate(String)
}
