import Foundation

/// `.proto` files written under a fresh temporary directory, for tests that compile or check files on disk.
public enum ProtoTree {
    /// Writes `files` (name relative to the directory -> text) under a new directory (made even when `files` is
    /// empty) and returns it.
    public static func write(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("proto-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }
}
