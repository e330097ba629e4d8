import Foundation

/// Reads a traffic file (or standard input) line by line in fixed-size chunks, so memory stays flat whatever the
/// file's size.
public final class TrafficLineReader {
    private let handle: FileHandle
    private let closeWhenDone: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The 1-based number of the last line returned.
    public private(set) var lineNumber = 0

    /// Reads from an open handle (standard input, a pipe).
    public init(handle: FileHandle) {
        self.handle = handle
        self.closeWhenDone = false
    }

    /// Opens the file at `path`.
    ///
    /// - Throws: ``TrafficError`` (line 0) when the file cannot be opened.
    public init(path: String) throws(TrafficError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TrafficError(file: path, line: 0, reason: "cannot open the traffic file (missing or unreadable)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw TrafficError(file: path, line: 0, reason: "is a directory, not a traffic file")
        }
        self.handle = handle
        self.closeWhenDone = true
    }

    deinit {
        if closeWhenDone { try? handle.close() }
    }

    /// The next line without its line ending, or `nil` at the end of input. Blank lines are returned as empty.
    public func nextLine() -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
