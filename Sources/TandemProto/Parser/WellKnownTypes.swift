/// The well-known type files (`google/protobuf/*.proto`), available to every compilation without files on disk
/// when no import root provides them.
public enum WellKnownTypes {
    /// The import paths of the built-in files.
    public static var paths: [String] { sources.keys.sorted() }

    /// The `.proto` text of the built-in file at `path`, if it is one.
    public static func source(for path: String) -> String? { sources[path] }
}
