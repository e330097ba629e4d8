extension CompatibilityRun {
    /// Compares one enum pair: values by number (names of a number, aliases included), then reservations.
    mutating func compareEnums(_ a: CompatibilityPool.Enum, _ b: CompatibilityPool.Enum) {
        compareEnumsAsBufFile(a, b)
        var v2Names: [Int32: [(Int, String)]] = [:]
        for (j, value) in b.proto.value.enumerated() { v2Names[value.number, default: []].append((j, value.name)) }
        let v2Ranges = b.proto.reservedRange.map { (Int64($0.start), Int64($0.end) + 1) }
        let v2ReservedNames = Set(b.proto.reservedName)
        for (i, value) in a.proto.value.enumerated() {
            let location = v1.locate(
                file: a.file, path: a.path + [2, Int32(i)], element: a.fullName + "." + value.name)
            guard let names = v2Names[value.number] else {
                report(
                    .enumValueNoDelete, v1: location, v2: nil,
                    "value \(value.name) (\(value.number)) of \(a.relativeName) is gone in v2: v2 readers keep \(value.number) "
                        + "as an unknown value (a closed proto2 enum moves it to unknown fields) and v2 JSON cannot "
                        + "parse \"\(value.name)\"")
                if !Self.covered(Int64(value.number), Int64(value.number) + 1, by: v2Ranges) {
                    report(
                        .enumValueNoDeleteUnlessNumberReserved, v1: location, v2: nil,
                        "value \(value.name) (\(value.number)) of \(a.relativeName) is gone in v2 and \(value.number) is "
                            + "not reserved: a later value may reuse the number and give old data a new meaning")
                }
                if !v2ReservedNames.contains(value.name) {
                    report(
                        .enumValueNoDeleteUnlessNameReserved, v1: location, v2: nil,
                        "value \(value.name) of \(a.relativeName) is gone in v2 and its name is not reserved: v2 JSON "
                            + "readers reject \"\(value.name)\" written by v1")
                }
                continue
            }
            guard !names.contains(where: { $0.1 == value.name }), let first = names.first else { continue }
            report(
                .enumValueSameName, v1: location,
                v2: v2.locate(file: b.file, path: b.path + [2, Int32(first.0)], element: b.fullName + "." + first.1),
                "value \(value.number) of \(a.relativeName) is \(value.name) in v1 and \(first.1) in v2: JSON "
                    + "writes names, so each side rejects the other's JSON for this value")
        }
        compareReservations(a, b)
    }
}
