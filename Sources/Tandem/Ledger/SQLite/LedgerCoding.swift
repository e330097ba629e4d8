import Foundation
import TandemProto

/// How report values are stored in ledger columns so that they read back exactly.
enum LedgerCoding {
    /// The exact decimal of a `Double` (Swift's shortest round-tripping text: `0.99995`, `1e-05`, `nan`, `inf`).
    static func text(_ value: Double) -> SQLiteValue { .text(String(value)) }

    /// An instant as the exact seconds since the reference date.
    static func text(_ date: Date) -> SQLiteValue { text(date.timeIntervalSinceReferenceDate) }

    /// An instant in Unix milliseconds (rounded down; for queries only).
    static func unixMillis(_ date: Date) -> SQLiteValue {
        let millis = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard millis.isFinite, millis > Double(Int64.min), millis < Double(Int64.max) else { return .integer(0) }
        return .integer(Int64(millis))
    }

    /// A count.
    static func integer(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }

    /// A flag.
    static func integer(_ value: Bool) -> SQLiteValue { .integer(value ? 1 : 0) }

    /// An optional string.
    static func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }

    /// A diff value as compact JSON, or NULL when the side has no value.
    static func json(_ value: JSONValue?) -> SQLiteValue { value.map { .text($0.jsonString()) } ?? .null }

    /// Reads the columns of one stored row, failing with the table and column that does not read back.
    struct Row {
        let statement: SQLiteStatement
        let table: String
        let path: String

        func int(_ column: Int32) -> Int { Int(truncatingIfNeeded: statement.int64(column)) }
        func bool(_ column: Int32) -> Bool { statement.int64(column) != 0 }
        func string(_ column: Int32) -> String { statement.text(column) }
        func optionalString(_ column: Int32) -> String? { statement.isNull(column) ? nil : statement.text(column) }
        func bytes(_ column: Int32) -> [UInt8] { statement.blob(column) }

        /// The value whose raw spelling the column holds (a breaker state, a diff kind).
        func value<Value: RawRepresentable>(_ column: Int32, _ name: String, as type: Value.Type) throws(LedgerError)
            -> Value where Value.RawValue == String
        {
            let text = statement.text(column)
            guard let value = Value(rawValue: text) else { throw corrupt(name, "'\(text)' is not a known value") }
            return value
        }

        func double(_ column: Int32, _ name: String) throws(LedgerError) -> Double {
            let text = statement.text(column)
            guard let value = Double(text) else { throw corrupt(name, "'\(text)' is not a number") }
            return value
        }

        func date(_ column: Int32, _ name: String) throws(LedgerError) -> Date {
            Date(timeIntervalSinceReferenceDate: try double(column, name))
        }

        func json(_ column: Int32, _ name: String) throws(LedgerError) -> JSONValue? {
            guard !statement.isNull(column) else { return nil }
            do {
                // Values were written by JSONValue's writer, whose nesting is bounded by the message's; allow the
                // reader's maximum so that nothing that was written fails to read back.
                return try JSONValue(parsing: statement.text(column), maxDepth: 1_000)
            } catch {
                throw corrupt(name, "the stored JSON does not parse: \(error)")
            }
        }

        func corrupt(_ column: String, _ reason: String) -> LedgerError {
            LedgerError(code: .corrupt, path: path, message: "the ledger is corrupt: \(table).\(column): \(reason)")
        }
    }
}
