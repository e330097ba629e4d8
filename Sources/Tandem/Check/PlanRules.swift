import TandemProto

/// Runs the ``PlanRule``s over a loaded plan's resolved whitelist.
struct PlanRules {
    let plan: MigrationPlan
    let v1: CompatibilitySchema
    let v2: CompatibilitySchema
    let policy: CompatibilityPolicy
    let planFile: String
    let lines: [Int]
    private(set) var findings: [CompatibilityFinding] = []
    private var visited: Set<String> = []

    init(
        plan: MigrationPlan, v1: CompatibilitySchema, v2: CompatibilitySchema, policy: CompatibilityPolicy,
        planFile: String, lines: [Int]
    ) {
        self.plan = plan
        self.v1 = v1
        self.v2 = v2
        self.policy = policy
        self.planFile = planFile
        self.lines = lines
    }

    /// One field pair being checked: the entry it comes from, and both fields with their owners.
    private struct Pair {
        var entry: String
        var v1Owner: MessageDescriptor
        var v1Field: FieldDescriptor
        var v2Owner: MessageDescriptor
        var v2Field: FieldDescriptor
        var v2Path: String
    }

    mutating func run() {
        for entry in plan.resolved {
            let line = entry.index < lines.count && lines[entry.index] > 0 ? ":\(lines[entry.index])" : ""
            let label = "\(planFile)\(line): whitelist[\(entry.index)] (\(entry.v1Field.name))"
            var v2Owner = plan.v2Message
            for step in entry.sourcePath.dropLast() {
                if let next = plan.v2.schema.messageType(of: step) { v2Owner = next }
            }
            let sourcePath = entry.sourcePath.map(\.name).joined(separator: ".")
            let pair = Pair(
                entry: label, v1Owner: plan.v1Message, v1Field: entry.v1Field, v2Owner: v2Owner,
                v2Field: entry.source, v2Path: sourcePath)
            check(pair, convert: entry.convert)
        }
    }

    private mutating func check(_ pair: Pair, convert: FieldConvert?) {
        if plan.mixedPresence.contains(pair.v1Owner.fullName + "." + pair.v1Field.name) {
            let (explicit, implicit) = pair.v1Field.hasPresence ? ("v1", "v2") : ("v2", "v1")
            report(
                PlanRule.presenceMixed, pair,
                "\(pair.v1Field.name) tracks presence in \(explicit) and not in \(implicit): unset and zero compare "
                    + "equal, so a record that loses the value in \(explicit) is not reported")
        }
        switch convert {
        case .enumMap(let map):
            checkEnums(pair, map: map)
        case .timestampMillis where Self.range(pair.v1Field.type).map({ $0.max < Int128(Int64.max) }) == true:
            report(
                PlanRule.convertOverflow, pair,
                "timestamp_millis produces milliseconds since 1970 (about 1.8e12 today), which \(pair.v1Field.type.protoName) "
                    + "\(pair.v1Field.name) cannot hold: every record with a timestamp is a mismatch")
        case .timestampSeconds where Self.range(pair.v1Field.type).map({ $0.max < Int128(UInt32.max) }) == true:
            report(
                PlanRule.integerNarrowing, pair,
                "timestamp_seconds into \(pair.v1Field.type.protoName) \(pair.v1Field.name) overflows after "
                    + "2038-01-19T03:14:07Z: later timestamps are reported as changed, never truncated")
        case nil:
            checkElements(pair)
        default:
            break
        }
    }

    /// Same-kind fields without a convert: enums by name then number, integer and float ranges, sub-messages by
    /// name (recursively, each pair of types once).
    private mutating func checkElements(_ pair: Pair) {
        var pair = pair
        if pair.v1Field.isMap, pair.v2Field.isMap, let v1Entry = plan.v1.schema.messageType(of: pair.v1Field),
            let v2Entry = plan.v2.schema.messageType(of: pair.v2Field), let v1Value = v1Entry.field(number: 2),
            let v2Value = v2Entry.field(number: 2)
        {
            pair.v1Field = v1Value
            pair.v2Field = v2Value
        }
        let v1Type = pair.v1Field.type
        let v2Type = pair.v2Field.type
        if v1Type == .enum, v2Type == .enum {
            checkEnums(pair, map: [:])
        } else if let v1Range = Self.range(v1Type), let v2Range = Self.range(v2Type),
            v2Range.min < v1Range.min || v2Range.max > v1Range.max
        {
            report(
                PlanRule.integerNarrowing, pair,
                "v1 \(v1Type.protoName) \(pair.v1Field.name) is fed from v2 \(v2Type.protoName) \(pair.v2Path): values "
                    + "outside \(v1Range.min)...\(v1Range.max) are never truncated but reported as changed, so each "
                    + "such record is a mismatch")
        } else if v1Type == .float, v2Type == .double {
            report(
                PlanRule.floatNarrowing, pair,
                "v1 float \(pair.v1Field.name) is fed from v2 double \(pair.v2Path): doubles that are not exact floats "
                    + "differ after narrowing unless compare.float_tolerance covers the rounding")
        } else if v1Type.isMessage, v2Type.isMessage, let v1Message = plan.v1.schema.messageType(of: pair.v1Field),
            let v2Message = plan.v2.schema.messageType(of: pair.v2Field),
            visited.insert(v1Message.fullName + "|" + v2Message.fullName).inserted
        {
            for v1Sub in v1Message.fields {
                guard let v2Sub = v2Message.field(named: v1Sub.name) else { continue }
                let sub = Pair(
                    entry: pair.entry, v1Owner: v1Message, v1Field: v1Sub, v2Owner: v2Message, v2Field: v2Sub,
                    v2Path: pair.v2Path + "." + v2Sub.name)
                check(sub, convert: nil)
            }
        }
    }

    /// Every v2 value must reach a v1 value: through the plan's map, by name, or (with a warning) by number.
    private mutating func checkEnums(_ pair: Pair, map: [String: String]) {
        guard let v1Enum = plan.v1.schema.enumType(of: pair.v1Field),
            let v2Enum = plan.v2.schema.enumType(of: pair.v2Field)
        else { return }
        for value in v2Enum.values {
            if map[value.name] != nil || v1Enum.number(named: value.name) != nil { continue }
            let v2Location = v2.locate(enum: v2Enum.fullName, value: value.name)
            if let byNumber = v1Enum.name(of: value.number) {
                report(
                    PlanRule.enumMappedByNumber, pair, v2: v2Location,
                    "v2 value \(value.name) (\(value.number)) of \(v2Enum.fullName) has no v1 value of that name and "
                        + "reaches v1 as \(byNumber) by number; map it explicitly if that is not what it means")
            } else {
                let names = v1Enum.values.map(\.name).joined(separator: ", ")
                report(
                    PlanRule.enumMappingIncomplete, pair, v2: v2Location,
                    "v2 value \(value.name) (\(value.number)) of \(v2Enum.fullName) maps to no value of v1 "
                        + "\(v1Enum.fullName) (\(names)): every record holding it is a mismatch; add "
                        + "`\(value.name): <V1 value>` to the field's enum convert")
            }
        }
    }

    private mutating func report(
        _ rule: CompatibilityRule, _ pair: Pair, v2 v2Override: FindingLocation? = nil, _ text: String
    ) {
        let severity = rule.severity(under: policy)
        guard severity != .off else { return }
        findings.append(
            CompatibilityFinding(
                rule: rule, severity: severity,
                v1: v1.locate(message: pair.v1Owner.fullName, field: pair.v1Field.name),
                v2: v2Override ?? v2.locate(message: pair.v2Owner.fullName, field: pair.v2Field.name),
                message: pair.entry + ": " + text))
    }

    /// The values an integer type holds, `nil` for other types.
    static func range(_ type: FieldType) -> (min: Int128, max: Int128)? {
        switch type {
        case .int32, .sint32, .sfixed32: return (Int128(Int32.min), Int128(Int32.max))
        case .uint32, .fixed32: return (0, Int128(UInt32.max))
        case .int64, .sint64, .sfixed64: return (Int128(Int64.min), Int128(Int64.max))
        case .uint64, .fixed64: return (0, Int128(UInt64.max))
        default: return nil
        }
    }
}
