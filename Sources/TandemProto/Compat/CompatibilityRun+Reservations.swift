extension CompatibilityRun {
    /// RESERVED_MESSAGE_NO_DELETE and RESERVED_REUSED for a message pair. Ranges are half-open here
    /// (`DescriptorProto.ReservedRange.end` is exclusive).
    mutating func compareReservations(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let v2Ranges = b.proto.reservedRange.map { (Int64($0.start), Int64($0.end)) }
        let v2Names = Set(b.proto.reservedName)
        let v2Message = v2.locate(file: b.file, path: b.path, element: b.fullName)
        for (i, range) in a.proto.reservedRange.enumerated() {
            let (start, end) = (Int64(range.start), Int64(range.end))
            guard !Self.covered(start, end, by: v2Ranges) else { continue }
            report(
                .reservedMessageNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [9, Int32(i)], element: a.fullName), v2: v2Message,
                "v1 reserves field numbers \(Self.describe(start, end - 1)) in \(a.relativeName) and v2 no longer "
                    + "does: a new field may reuse a retired number and decode old data as something else")
        }
        for (i, name) in a.proto.reservedName.enumerated() where !v2Names.contains(name) {
            report(
                .reservedMessageNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [10, Int32(i)], element: a.fullName), v2: v2Message,
                "v1 reserves field name \(name) in \(a.relativeName) and v2 no longer does: a new field may take "
                    + "the name and JSON written by old clients fills it")
        }
        let v1Ranges = a.proto.reservedRange.enumerated().map {
            ($0.offset, Int64($0.element.start), Int64($0.element.end))
        }
        let v1Names = Dictionary(
            a.proto.reservedName.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { x, _ in x })
        for (j, field) in b.proto.field.enumerated() {
            let element = b.fullName + "." + field.name
            let fieldPath = b.path + [2, Int32(j)]
            if let hit = v1Ranges.first(where: { Int64(field.number) >= $0.1 && Int64(field.number) < $0.2 }) {
                report(
                    .reservedReused,
                    v1: v1.locate(file: a.file, path: a.path + [9, Int32(hit.0)], element: a.fullName),
                    v2: v2.locate(file: b.file, path: fieldPath, detail: [3], element: element),
                    "v2 field \(field.name) uses number \(field.number), which v1 reserved: records still carrying "
                        + "the retired field are decoded as \(field.name)")
            }
            if let index = v1Names[field.name] {
                report(
                    .reservedReused,
                    v1: v1.locate(file: a.file, path: a.path + [10, Int32(index)], element: a.fullName),
                    v2: v2.locate(file: b.file, path: fieldPath, detail: [1], element: element),
                    "v2 field \(field.name) uses a name v1 reserved: JSON still carrying the retired field fills "
                        + "\(field.name)")
            }
        }
    }

    /// RESERVED_ENUM_NO_DELETE and RESERVED_REUSED for an enum pair. Enum reserved ranges are inclusive.
    mutating func compareReservations(_ a: CompatibilityPool.Enum, _ b: CompatibilityPool.Enum) {
        let v2Ranges = b.proto.reservedRange.map { (Int64($0.start), Int64($0.end) + 1) }
        let v2Names = Set(b.proto.reservedName)
        let v2Enum = v2.locate(file: b.file, path: b.path, element: b.fullName)
        for (i, range) in a.proto.reservedRange.enumerated() {
            let (start, end) = (Int64(range.start), Int64(range.end) + 1)
            guard !Self.covered(start, end, by: v2Ranges) else { continue }
            report(
                .reservedEnumNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [4, Int32(i)], element: a.fullName), v2: v2Enum,
                "v1 reserves enum numbers \(Self.describe(start, end - 1)) in \(a.relativeName) and v2 no longer "
                    + "does: a new value may reuse a retired number and give old data a new meaning")
        }
        for (i, name) in a.proto.reservedName.enumerated() where !v2Names.contains(name) {
            report(
                .reservedEnumNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [5, Int32(i)], element: a.fullName), v2: v2Enum,
                "v1 reserves enum value name \(name) in \(a.relativeName) and v2 no longer does: a new value may "
                    + "take the name and old JSON that spells it gets a new meaning")
        }
        let v1Names = Dictionary(
            a.proto.reservedName.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { x, _ in x })
        for (j, value) in b.proto.value.enumerated() {
            let element = b.fullName + "." + value.name
            let valuePath = b.path + [2, Int32(j)]
            if let hit = a.proto.reservedRange.enumerated().first(where: {
                value.number >= $0.element.start && value.number <= $0.element.end
            }) {
                report(
                    .reservedReused,
                    v1: v1.locate(file: a.file, path: a.path + [4, Int32(hit.offset)], element: a.fullName),
                    v2: v2.locate(file: b.file, path: valuePath, detail: [2], element: element),
                    "v2 value \(value.name) uses number \(value.number), which v1 reserved: old data holding the "
                        + "retired value reads as \(value.name)")
            }
            if let index = v1Names[value.name] {
                report(
                    .reservedReused,
                    v1: v1.locate(file: a.file, path: a.path + [5, Int32(index)], element: a.fullName),
                    v2: v2.locate(file: b.file, path: valuePath, element: element),
                    "v2 value \(value.name) uses a name v1 reserved: old JSON spelling the retired value reads as "
                        + "\(value.name)")
            }
        }
    }

    /// Whether `[start, end)` lies within the union of half-open `ranges`.
    static func covered(_ start: Int64, _ end: Int64, by ranges: [(Int64, Int64)]) -> Bool {
        var cursor = start
        for range in ranges.sorted(by: { $0.0 < $1.0 }) where range.0 <= cursor && range.1 > cursor {
            cursor = range.1
            if cursor >= end { return true }
        }
        return cursor >= end
    }

    private static func describe(_ first: Int64, _ last: Int64) -> String {
        first == last ? "\(first)" : "\(first) to \(last)"
    }
}
