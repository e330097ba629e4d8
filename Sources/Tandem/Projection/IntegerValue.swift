import TandemProto

/// Integer helpers shared by projection and comparison: protobuf integers compare by value across widths and
/// signedness (DESIGN 4), so both sides are widened to `Int128`, which holds every int64 and uint64.
enum IntegerValue {
    /// The value of an integer case (enums excluded: they compare by number after mapping, not as integers).
    static func of(_ value: ProtoValue) -> Int128? {
        switch value {
        case .int32(let v): return Int128(v)
        case .int64(let v): return Int128(v)
        case .uint32(let v): return Int128(v)
        case .uint64(let v): return Int128(v)
        default: return nil
        }
    }

    /// `value` as the case of `type`, or `nil` when it does not fit (never truncated).
    static func narrow(_ value: Int128, to type: FieldType) -> ProtoValue? {
        switch type {
        case .int32, .sint32, .sfixed32: return Int32(exactly: value).map { .int32($0) }
        case .int64, .sint64, .sfixed64: return Int64(exactly: value).map { .int64($0) }
        case .uint32, .fixed32: return UInt32(exactly: value).map { .uint32($0) }
        case .uint64, .fixed64: return UInt64(exactly: value).map { .uint64($0) }
        default: return nil
        }
    }

    /// A google.protobuf.Timestamp as integer milliseconds (DESIGN 3: seconds * 1000 + floor(nanos / 1e6), in
    /// integer arithmetic) or seconds; `nil` when the milliseconds overflow Int64. The projection and the transcoder
    /// both convert through this.
    static func timestamp(seconds: Int64, nanos: Int64, millis: Bool) -> Int64? {
        guard millis else { return seconds }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (sum, overflow2) = scaled.addingReportingOverflow(floorDivide(nanos, 1_000_000))
        return overflow || overflow2 ? nil : sum
    }

    /// `numerator / denominator` rounded toward negative infinity (DESIGN 3: floor(nanos / 1e6)).
    static func floorDivide(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        let quotient = numerator / denominator
        return (numerator % denominator != 0 && (numerator < 0) != (denominator < 0)) ? quotient - 1 : quotient
    }
}
