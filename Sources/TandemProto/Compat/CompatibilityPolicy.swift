/// How strict a compatibility check is (`tandem check --policy`).
///
/// - ``wire``: binary compatibility only: can each side decode what the other writes?
/// - ``wireJSON`` (the default): binary and proto3 JSON compatibility.
/// - ``strict``: also names and source-level changes that break generated code (renames, deletions, type changes
///   that happen to be wire-compatible).
///
/// Which rule is an error, a warning or off under each policy is ``CompatibilityRule``'s table.
public enum CompatibilityPolicy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Binary (wire) compatibility only.
    case wire
    /// Binary and proto3 JSON compatibility.
    case wireJSON = "wire_json"
    /// Everything, including names and source-level changes.
    case strict

    /// The policy's name as the CLI spells it (`wire_json`).
    public var description: String { rawValue }
}
