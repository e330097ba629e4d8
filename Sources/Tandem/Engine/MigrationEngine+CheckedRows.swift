extension MigrationEngine {
    /// The shadow payload that the v2 payload `primary` projects to, checked to compare equal to it: the row backfill
    /// writes and repair rewrites (DESIGN 11). A payload that does not decode, or a value the v1 field cannot hold,
    /// is a failure naming the path.
    func checkedProjection(key: String, primary: [UInt8]) -> Result<[UInt8], PlanInversion.Failure> {
        let projected: [UInt8]
        do {
            guard case .put(_, _, let shadow) = try prepareWrite(key: key, v2: primary) else {
                return .failure(.init(path: "$", reason: "no projection"))
            }
            projected = shadow
        } catch {
            return .failure(.init(path: "$", reason: error.reason))
        }
        if let failure = inequality(shadow: projected, primary: primary) { return .failure(failure) }
        return .success(projected)
    }

    /// Nil when the two payloads compare equal under the plan's rules; else their first difference (redacted).
    func inequality(shadow: [UInt8], primary: [UInt8]) -> PlanInversion.Failure? {
        guard
            let diff = diffEngine.compare(
                shadowPayload: shadow, primaryPayload: primary, options: configuration.decoding)?
                .diffs.first
        else { return nil }
        let detail = redactor.redact(diff).detail.map { ": \($0)" } ?? ""
        return .init(path: diff.path, reason: "the rows would not compare equal (\(diff.kind.rawValue)\(detail))")
    }
}
