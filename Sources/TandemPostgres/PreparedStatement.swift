import NIOCore
import PostgresNIO
import Tandem

/// A statement the backend runs for every write: prepared once per connection (the server parses and plans it once),
/// then executed with its values. The write statements are long (several data-modifying CTEs over three tables), and
/// planning one again for every write cost as much as running it (pgbench: 410 us unprepared, 203 us prepared).
struct PreparedStatement: Sendable {
    /// The SQL, with `$1`, `$2`... for the values; a connection prepares each distinct text once.
    let sql: String
    /// The values, in order.
    let values: [PostgresData]

    init(sql: String, values: PreparedValues) {
        self.sql = sql
        self.values = values.values
    }
}

/// The values of a ``PreparedStatement``, encoded as postgres-nio encodes a query's bindings.
struct PreparedValues: Sendable {
    private(set) var values: [PostgresData] = []

    init(capacity: Int) {
        values.reserveCapacity(capacity)
    }

    /// Appends the next value.
    mutating func append<Value: PostgresNonThrowingEncodable>(_ value: Value) {
        var buffer = ByteBuffer()
        value.encode(into: &buffer, context: .default)
        values.append(PostgresData(type: Value.psqlType, formatCode: Value.psqlFormat, value: buffer))
    }
}

extension PostgresTables {
    /// A `bigint` column of a prepared statement's row. postgres-nio always asks the server for binary results, but
    /// labels a prepared statement's cells with the text format the statement's description gave (its unnamed queries
    /// are labelled right), so the cell is read as the 8 bytes it holds whatever its label says.
    static func preparedSeq(_ row: PostgresRow, column: Int, location: PostgresLocation) throws(StoreError) -> Int64 {
        var cells = row.makeIterator()
        for _ in 0..<column { _ = cells.next() }
        guard let cell = cells.next(), cell.dataType == .int8, var bytes = cell.bytes, bytes.readableBytes == 8,
            let value = bytes.readInteger(as: Int64.self)
        else {
            throw StoreError(
                code: .readFailed, path: location.description,
                message: "unexpected row: column \(column) is not a bigint")
        }
        return value
    }
}
