/// Protobuf wire bytes written by hand, for tests that need payloads no encoder would write (unknown fields,
/// unpacked runs, duplicates) or that must not depend on the encoder under test.
public enum WireBytes {
    /// `value` as a base-128 varint.
    public static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        return bytes + [UInt8(rest)]
    }

    /// Field `number` as a varint holding `value` (two's complement for negatives, as int32 and int64 write them).
    public static func int(_ number: Int, _ value: Int64) -> [UInt8] {
        varint(UInt64(number << 3)) + varint(UInt64(bitPattern: value))
    }

    /// Field `number` as a length-delimited `payload`.
    public static func bytes(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }

    /// Field `number` as a packed run of varints.
    public static func packed(_ number: Int, _ values: [Int64]) -> [UInt8] {
        bytes(number, values.flatMap { varint(UInt64(bitPattern: $0)) })
    }
}
