import NIOCore
import PostgresNIO

/// Reading a cell's bytes directly, without the generic decoder's per-column metadata and reference counting (the
/// scans decode a row per record). The bytes are always in the binary format, which postgres-nio always asks for, but
/// it labels a prepared statement's cells with the text format of the statement's description, so the label is not
/// consulted. Each reader is nil when the cell is NULL or is not of its type.
extension PostgresCell {
    /// A `text` cell's string.
    var binaryText: String? {
        guard dataType == .text, let bytes else { return nil }
        return String(decoding: bytes.readableBytesView, as: UTF8.self)
    }

    /// A `bytea` cell's bytes.
    var binaryBytes: [UInt8]? {
        guard dataType == .bytea, let bytes else { return nil }
        return Array(bytes.readableBytesView)
    }

    /// A `bigint` cell's value.
    var binaryInt8: Int64? {
        guard dataType == .int8, var bytes, bytes.readableBytes == 8 else { return nil }
        return bytes.readInteger(as: Int64.self)
    }
}

extension PostgresRow {
    /// The cell at `column`, if the row has one.
    func cell(_ column: Int) -> PostgresCell? {
        var cells = makeIterator()
        for _ in 0..<column { _ = cells.next() }
        return cells.next()
    }
}
