import TandemProto

/// The rules `tandem check PLAN_DIR` adds to the schema rules: can each whitelisted field be carried from v2 to the
/// v1 shadow without a mismatch the schema already predicts? (A plan whose names, paths or converts do not fit at
/// all is rejected when it loads, before these run.)
///
/// | Rule | wire | wire_json | strict |
/// |---|---|---|---|
/// | PLAN_ENUM_MAPPING_INCOMPLETE | error | error | error |
/// | PLAN_ENUM_MAPPED_BY_NUMBER | warning | warning | warning |
/// | PLAN_INTEGER_NARROWING | warning | warning | warning |
/// | PLAN_CONVERT_OVERFLOW | error | error | error |
/// | PLAN_FLOAT_NARROWING | warning | warning | warning |
/// | PLAN_PRESENCE_MIXED | off | off | warning |
public enum PlanRule {
    /// A v2 value of a whitelisted enum maps to no v1 value (not in the plan's map, no v1 value of that name or
    /// number): every record holding it is a mismatch.
    public static let enumMappingIncomplete = CompatibilityRule(
        id: "PLAN_ENUM_MAPPING_INCOMPLETE", wire: .error, wireJSON: .error, strict: .error,
        summary: "every v2 value of a whitelisted enum maps to a v1 value")
    /// A v2 enum value reaches v1 only through its number, under another name.
    public static let enumMappedByNumber = CompatibilityRule(
        id: "PLAN_ENUM_MAPPED_BY_NUMBER", wire: .warning, wireJSON: .warning, strict: .warning,
        summary: "enum values map by name or by the plan's map, not by number alone")
    /// A whitelisted integer is fed from a wider or differently signed v2 integer without a convert.
    public static let integerNarrowing = CompatibilityRule(
        id: "PLAN_INTEGER_NARROWING", wire: .warning, wireJSON: .warning, strict: .warning,
        summary: "whitelisted integers can hold every value of their v2 source")
    /// A timestamp convert produces values that cannot fit the v1 integer.
    public static let convertOverflow = CompatibilityRule(
        id: "PLAN_CONVERT_OVERFLOW", wire: .error, wireJSON: .error, strict: .error,
        summary: "converted values fit the v1 field")
    /// A whitelisted float is fed from a v2 double.
    public static let floatNarrowing = CompatibilityRule(
        id: "PLAN_FLOAT_NARROWING", wire: .warning, wireJSON: .warning, strict: .warning,
        summary: "whitelisted floats are not fed from doubles")
    /// The v1 field and its v2 source differ in presence discipline: only values are compared.
    public static let presenceMixed = CompatibilityRule(
        id: "PLAN_PRESENCE_MIXED", wire: .off, wireJSON: .off, strict: .warning,
        summary: "whitelisted fields and their sources share a presence discipline")

    /// Every plan rule, in table order.
    public static let all: [CompatibilityRule] = [
        enumMappingIncomplete, enumMappedByNumber, integerNarrowing, convertOverflow, floatNarrowing, presenceMixed,
    ]
}
