import Foundation

/// Finds `.proto` files by import path: in each import root in order, then among the built-in well-known types.
/// Files are named relative to the root that holds them, as protoc names them.
struct SourceTree: Sendable {
    let roots: [String]

    /// The text of the file at import path `path`, and where it was found (nil for built-ins).
    func open(_ path: String) throws(ProtoError) -> (bytes: [UInt8], diskPath: String?)? {
        for root in roots {
            let candidate = root.isEmpty || root == "." ? path : (root.hasSuffix("/") ? root + path : root + "/" + path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                guard let data = FileManager.default.contents(atPath: candidate) else {
                    throw ProtoError(
                        .io, at: SourceLocation(file: path, line: 0, column: 0),
                        "\(candidate): could not be read.")
                }
                return ([UInt8](data), candidate)
            }
        }
        if let builtin = WellKnownTypes.source(for: path) {
            return (Array(builtin.utf8), nil)
        }
        return nil
    }

    /// The import path of a file given by its disk path: relative to the first root that contains it
    /// (protoc's "virtual path" for files on the command line).
    func virtualPath(forDiskPath diskPath: String) -> String? {
        let standardized = Self.normalize(diskPath)
        for root in roots {
            let base = Self.normalize(root)
            if base == "." || base.isEmpty {
                if !standardized.hasPrefix("/") && !standardized.hasPrefix("../") { return standardized }
                continue
            }
            if standardized.hasPrefix(base + "/") {
                return String(standardized.dropFirst(base.count + 1))
            }
        }
        return nil
    }

    /// Removes `./` components and duplicate slashes without touching the file system.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
