/// How strict a compatibility check is (`tandem check --policy`).
///
/// - ``wire``: binary compatibility only: can each side decode what the other writes?
/// - ``wireJSON`` (the default): binary and proto3 JSON compatibility.
/// - ``strict``: also names and source-level changes that break generated code (renames, deletions, type changes
///   that happen to be wire-compatible).
///
/// - ``bufWire``, ``bufWireJSON``, ``bufFile``: buf's `WIRE`, `WIRE_JSON` and `FILE` breaking categories, for teams
///   that gate on buf's verdict: buf's rules (each an error), buf's type and cardinality tables, types paired by full
///   name only.
///
/// Which rule is an error, a warning or off under each policy is ``CompatibilityRule``'s table.
public enum CompatibilityPolicy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Binary (wire) compatibility only.
    case wire
    /// Binary and proto3 JSON compatibility.
    case wireJSON = "wire_json"
    /// Everything, including names and source-level changes.
    case strict
    /// buf's `WIRE` category.
    case bufWire = "buf_wire"
    /// buf's `WIRE_JSON` category.
    case bufWireJSON = "buf_wire_json"
    /// buf's `FILE` category.
    case bufFile = "buf_file"

    /// The buf breaking category a `buf_*` policy follows; `nil` for Tandem's own policies.
    public var bufCategory: String? {
        switch self {
        case .wire, .wireJSON, .strict: return nil
        case .bufWire: return "WIRE"
        case .bufWireJSON: return "WIRE_JSON"
        case .bufFile: return "FILE"
        }
    }

    /// The Tandem policy closest to a `buf_*` policy (its severities apply to rules buf does not have, such as a
    /// plan's); the policy itself otherwise.
    public var nearestTandemPolicy: CompatibilityPolicy {
        switch self {
        case .wire, .bufWire: return .wire
        case .wireJSON, .bufWireJSON: return .wireJSON
        case .strict, .bufFile: return .strict
        }
    }

    /// The policy's name as the CLI spells it (`wire_json`).
    public var description: String { rawValue }
}
