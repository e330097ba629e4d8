import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a traffic file (or standard input) line by line in fixed-size chunks, so memory stays flat whatever the
/// file's size.
///
/// Lines have a limit (``maxLineBytes``): a longer line is not kept in memory; it is skipped up to its newline, in
/// linear time, and reported as too long so that the replay counts it as a bad line and goes on.
/// A UTF-8 byte order mark at the start of the input is skipped.
public final class TrafficLineReader {
    /// One line of input.
    package enum Line: Equatable {
        /// The line's bytes, without the line ending (empty for a blank line).
        case text(ArraySlice<UInt8>)
        /// A line longer than the limit, skipped: how many bytes it had (at least).
        case tooLong(bytes: Int)
    }

    /// The default line limit: 4 MiB, far above any record a service writes.
    public static let defaultMaxLineBytes = 4 << 20

    /// The longest line returned as text, in bytes (line ending excluded).
    public let maxLineBytes: Int
    private let handle: FileHandle
    private let closeWhenDone: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes of `buffer` from `start` already searched for a newline: a long line is scanned once, not again after
    /// every chunk.
    private var scanned = 0
    private var atEnd = false
    private var atStart = true
    /// The 1-based number of the last line returned.
    public private(set) var lineNumber = 0
    /// Why reading stopped early, when the input could not be read to its end (an I/O error): the lines before it
    /// were returned, and reading ended after them.
    public private(set) var readFailure: String?

    /// Reads from an open handle (standard input, a pipe).
    public init(handle: FileHandle, maxLineBytes: Int = TrafficLineReader.defaultMaxLineBytes) {
        self.handle = handle
        self.closeWhenDone = false
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Opens the file at `path`.
    ///
    /// - Throws: ``TrafficError`` (line 0) when the file cannot be opened or is a directory.
    public init(path: String, maxLineBytes: Int = TrafficLineReader.defaultMaxLineBytes) throws(TrafficError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw TrafficError(.unreadable, file: path, line: 0, reason: "is a directory, not a traffic file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TrafficError(
                .unreadable, file: path, line: 0, reason: "cannot open the traffic file (missing or unreadable)")
        }
        self.handle = handle
        self.closeWhenDone = true
        self.maxLineBytes = max(1, maxLineBytes)
    }

    deinit {
        if closeWhenDone { try? handle.close() }
    }

    /// The next line without its line ending, or `nil` at the end of input. Blank lines are returned as empty.
    /// A line over the limit is read through and returned as empty: use ``next()`` to tell it apart.
    package func nextLine() -> ArraySlice<UInt8>? {
        switch next() {
        case .text(let line): return line
        case .tooLong: return []
        case nil: return nil
        }
    }

    /// The next line, or `nil` at the end of input.
    package func next() -> Line? {
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                scanned = 0
                lineNumber += 1
                if line.count > maxLineBytes { return .tooLong(bytes: line.count) }
                return .text(line)
            }
            scanned = buffer.count - start
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                scanned = 0
                lineNumber += 1
                if line.count > maxLineBytes { return .tooLong(bytes: line.count) }
                return .text(line)
            }
            if scanned > maxLineBytes {
                lineNumber += 1
                return .tooLong(bytes: skipRestOfLine(after: scanned))
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            readChunk()
        }
    }

    /// Discards the current line (of which `count` bytes are buffered) up to and including its newline, reading on in
    /// chunks without keeping them; returns the line's length.
    private func skipRestOfLine(after count: Int) -> Int {
        var length = count
        buffer.removeAll(keepingCapacity: true)
        start = 0
        scanned = 0
        while !atEnd {
            readChunk()
            if let newline = buffer.firstIndex(of: 0x0A) {
                length += newline
                buffer.removeSubrange(0...newline)
                return length
            }
            length += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        return length
    }

    private func readChunk() {
        // read(2) directly: a signal (SIGCHLD, SIGWINCH) interrupting the call is retried, where Foundation's
        // `readData(ofLength:)` would trap on EINTR.
        let chunkSize = 1 << 16
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunkSize))
        var count = 0
        while true {
            count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(handle.fileDescriptor, base + start, chunkSize)
            }
            if count >= 0 || errno != EINTR { break }
        }
        buffer.removeLast(chunkSize - max(count, 0))
        if count <= 0 {
            if count < 0 { readFailure = String(cString: strerror(errno)) }
            atEnd = true
            return
        }
        // A UTF-8 byte order mark (EF BB BF) some editors write at the start of a file is not part of line 1.
        if atStart && buffer.count >= 3 {
            atStart = false
            if buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { buffer.removeFirst(3) }
        }
    }
}
