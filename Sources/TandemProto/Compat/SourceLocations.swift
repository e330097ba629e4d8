/// Where the elements of compiled `.proto` files are: for each file, a ``SourceLocation`` by descriptor path.
///
/// Paths follow `google.protobuf.SourceCodeInfo`: field numbers of `descriptor.proto` and indices, so
/// `[4, 0, 2, 1]` is field 1 of the first top-level message and `[4, 0, 2, 1, 1]` its name. Files that do not come
/// from `.proto` text (a descriptor set) have no locations; lookups then return `nil`.
public struct SourceLocations: Sendable {
    private var byFile: [String: [[Int32]: SourceLocation]] = [:]
    private var fileStarts: [String: SourceLocation] = [:]

    /// Creates an empty table.
    public init() {}

    /// Records the locations of one file (as the parser keeps them), and where the file starts.
    package mutating func add(file: String, locations: [[Int32]: SourceLocation], fileLocation: SourceLocation) {
        byFile[file] = locations
        fileStarts[file] = fileLocation
    }

    /// Whether any location is known for `file`.
    public func contains(file: String) -> Bool { byFile[file] != nil }

    /// The location recorded exactly for `path` in `file`, if any.
    public func exact(file: String, path: [Int32]) -> SourceLocation? {
        byFile[file]?[path]
    }

    /// The location of `path` in `file`: the exact one, else that of the closest recorded ancestor (a reserved range
    /// inside a message falls back to the message), else the file start; `nil` when the file is unknown.
    public func location(file: String, path: [Int32]) -> SourceLocation? {
        guard let table = byFile[file] else { return nil }
        var prefix = path
        while !prefix.isEmpty {
            if let found = table[prefix] { return found }
            prefix.removeLast()
        }
        return fileStarts[file]
    }
}
