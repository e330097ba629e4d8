import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds `.proto` files by import path: in each import root in order, then among the built-in well-known types.
/// Files are named relative to the root that holds them, as protoc names them.
struct SourceTree: Sendable {
    let roots: [String]

    /// The text of the file at import path `path`, and where it was found (nil for built-ins).
    ///
    /// Import paths are relative paths inside an import root, as protoc's virtual paths are: an absolute path or one
    /// that climbs out with `..` finds nothing (an `import "/etc/passwd";` never reads that file). A path that names a
    /// directory or anything but a regular file (`/dev/zero`) is an error saying so, not "not found".
    func open(_ path: String) throws(ProtoError) -> (bytes: [UInt8], diskPath: String?)? {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !components.contains("..") else { return nil }
        for root in roots {
            let candidate = root.isEmpty || root == "." ? path : (root.hasSuffix("/") ? root + path : root + "/" + path)
            var info = stat()
            guard stat(candidate, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG else {
                throw ProtoError(
                    .io, at: SourceLocation(file: path, line: 0, column: 0),
                    "\(candidate): \(kind == S_IFDIR ? "is a directory" : "is not a regular file"), not a .proto file.")
            }
            guard let data = FileManager.default.contents(atPath: candidate) else {
                throw ProtoError(
                    .io, at: SourceLocation(file: path, line: 0, column: 0),
                    "\(candidate): could not be read.")
            }
            return ([UInt8](data), candidate)
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

    /// protoc's fallback for a file on the command line that no root contains as given: the path read as an import
    /// path, when a root holds a file under it (`google/api/http.proto` with `-I /abs/root` and the shell in that
    /// root, where the relative disk path and the absolute root never match by prefix).
    func importPathIfFound(_ diskPath: String) -> String? {
        let path = Self.normalize(diskPath)
        guard !path.hasPrefix("/"), path != "..", !path.hasPrefix("../") else { return nil }
        for root in roots {
            let candidate = root.isEmpty || root == "." ? path : (root.hasSuffix("/") ? root + path : root + "/" + path)
            if FileManager.default.fileExists(atPath: candidate) { return path }
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
