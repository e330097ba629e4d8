import TandemProto

/// Compares a shadow record (decoded with v1) with its projected primary, field by field, under DESIGN 4's
/// semantics, and lists every difference at its exact path.
///
/// Only whitelisted v1 fields are compared, minus `compare.ignore`. Unknown fields are never differences (see
/// ``Comparison/unknownFields``).
public struct DiffEngine: Sendable {
    /// The plan whose rules the engine applies.
    public let plan: MigrationPlan
    /// The projection used by ``compare(shadowPayload:primaryPayload:options:)``.
    public let projection: Projection

    /// The projection compiled to run on v2 bytes (`nil` when the plan's shape is left to the message path).
    let transcoder: Transcoder?

    /// The v1 names of the whitelist entries the transcoder leaves to its general path (decoding that field's
    /// occurrences into a message and projecting it): a named convert, a recursive message type, a conversion with
    /// no direct path. Empty when every entry is transcoded directly; all entries when the plan has no transcoder.
    public var transcoderGeneralPathEntries: [String] {
        transcoder?.generalEntries ?? plan.resolved.map(\.v1Field.name)
    }

    /// Whether the transcoder's single pass answers for `primaryPayload` (a v2 payload): its fields read once and
    /// written as they come, rather than left to the validator's pass and a look-up of each entry. `false` when the
    /// plan has no single pass (an entry read through a sub-message written before a direct one) or the payload is
    /// not one as encoders write it; such payloads are still transcoded, by the two passes. What a benchmark checks so
    /// that a regression shows.
    public func transcodesInOnePass(_ primaryPayload: [UInt8]) -> Bool {
        guard let transcoder, let pass = transcoder.singlePass else { return false }
        return primaryPayload.withUnsafeBytes { transcoder.transcodeInOnePass($0, pass, options: .init()) } != nil
    }

    private let ignored: Set<String>
    private let tolerance: Double
    /// The compare rules (ignore, unordered, mixed presence) resolved per field position at init (see
    /// ``CompareRules``), so that the walk looks up no path strings.
    private let rules: CompareRules

    /// Creates the engine of a plan.
    public init(plan: MigrationPlan) {
        self.plan = plan
        self.projection = Projection(plan: plan)
        self.transcoder = Transcoder(projection: projection)
        self.ignored = Set(plan.compare.ignore.map(\.description))
        self.tolerance = plan.compare.floatTolerance
        let topFields = plan.resolved.map(\.v1Field).sorted { $0.number < $1.number }
        self.rules = CompareRules(
            top: plan.v1Message, fields: topFields, schema: plan.v1.schema, ignored: ignored,
            unordered: Set(plan.compare.unordered.map(\.description)), mixedPresence: plan.mixedPresence)
    }

    /// The differences between a shadow record and a projected primary, in field-number order.
    ///
    /// Values that the projection could not represent in the v1 shape are reported as `changed` at their path.
    public func diff(shadow: DynamicMessage, primary: ProjectedRecord) -> [FieldDiff] {
        var walk = Walk(issues: primary.unrepresentable)
        compareFields(shadow: shadow, primary: primary.message, node: rules.nodes[0], path: "", walk: &walk)
        // An unrepresentable map key has no v1 key to meet in the walk; it is still a divergence.
        for (path, value) in primary.unrepresentable.sorted(by: { $0.key < $1.key })
        where !walk.seenIssues.contains(path) && !isIgnored(DiffPath.schemaPath(path)) {
            walk.diffs.append(FieldDiff(path: path, kind: .changed, v1: nil, v2: value))
        }
        return walk.diffs
    }

    /// The differences between a shadow record and a primary already in the v1 shape.
    public func diff(shadow: DynamicMessage, primary: DynamicMessage) -> [FieldDiff] {
        diff(shadow: shadow, primary: ProjectedRecord(message: primary))
    }

    // MARK: Walk

    struct Walk {
        var diffs: [FieldDiff] = []
        let issues: [String: ProtoValue]
        var seenIssues: Set<String> = []

        init(issues: [String: ProtoValue]) {
            self.issues = issues
        }

        /// The unrepresentable v2 value at `path`, marking it reported.
        mutating func issue(at path: String) -> ProtoValue? {
            guard !issues.isEmpty, let value = issues[path] else { return nil }
            seenIssues.insert(path)
            return value
        }

        /// The unrepresentable v2 value at `path`, marking it reported; the path is spelled only when some value
        /// is unrepresentable.
        @inline(__always)
        mutating func issue(at path: LazyPath) -> ProtoValue? {
            guard !issues.isEmpty else { return nil }
            return issue(at: path.text)
        }
    }

    /// A path spelled only when needed (a diff, an unrepresentable value, a sub-message): equal values build no
    /// string.
    struct LazyPath {
        let base: String
        let name: String?
        let index: Int

        init(field name: String, in base: String) {
            self.base = base
            self.name = name
            self.index = -1
        }

        init(index: Int, in base: String) {
            self.base = base
            self.name = nil
            self.index = index
        }

        init(_ text: String) {
            self.base = text
            self.name = nil
            self.index = -1
        }

        var text: String {
            if let name { return DiffPath.field(base, name) }
            if index >= 0 { return DiffPath.index(base, index) }
            return base
        }
    }

    private func isIgnored(_ schemaPath: String) -> Bool {
        guard !ignored.isEmpty else { return false }
        if ignored.contains(schemaPath) { return true }
        // An ignored message field hides its sub-fields too.
        return ignored.contains { schemaPath.hasPrefix($0 + ".") }
    }

    /// Compares the fields of `node` (ignore, unordered and mixed presence resolved at init by ``CompareRules``).
    private func compareFields(
        shadow: DynamicMessage, primary: DynamicMessage, node: CompareRules.Node, path: String, walk: inout Walk
    ) {
        for index in 0..<node.rules.count {
            let rule = node.rules[index]
            if rule.ignored { continue }
            let field = node.fields[index]
            let fieldPath = LazyPath(field: field.name, in: path)
            let left = Self.value(of: field, in: shadow)
            let right = Self.value(of: field, in: primary)
            if field.isMap {
                compareMaps(field, left, right, path: fieldPath.text, node: node, at: index, walk: &walk)
            } else if field.isRepeated {
                var leftValues: [ProtoValue] = []
                var rightValues: [ProtoValue] = []
                if case .repeated(let values) = left { leftValues = values }
                if case .repeated(let values) = right { rightValues = values }
                if leftValues.isEmpty && rightValues.isEmpty { continue }
                if rule.unordered {
                    compareUnordered(
                        field, leftValues, rightValues, path: fieldPath.text, node: node, at: index, walk: &walk)
                } else {
                    compareOrdered(
                        field, leftValues, rightValues, path: fieldPath.text, node: node, at: index, walk: &walk)
                }
            } else {
                compareSingular(
                    field, left, right, shadow: shadow, primary: primary, mixed: rule.mixed, path: fieldPath,
                    node: node, at: index, walk: &walk)
            }
        }
    }

    @inline(__always)
    private static func value(of field: FieldDescriptor, in message: DynamicMessage) -> DynamicMessage.FieldValue {
        guard let position = message.descriptor.position(ofNumber: field.number) else { return .unset }
        return message.fieldValue(at: position)
    }

    private func compareSingular(
        _ field: FieldDescriptor, _ left: DynamicMessage.FieldValue, _ right: DynamicMessage.FieldValue,
        shadow: DynamicMessage, primary: DynamicMessage, mixed: Bool, path: LazyPath, node: CompareRules.Node,
        at index: Int, walk: inout Walk
    ) {
        var shadowValue: ProtoValue? = nil
        var primaryValue: ProtoValue? = nil
        if case .single(let value) = left { shadowValue = value }
        if case .single(let value) = right { primaryValue = value }
        if let unrepresentable = walk.issue(at: path) {
            walk.diffs.append(FieldDiff(path: path.text, kind: .changed, v1: shadowValue, v2: unrepresentable))
            return
        }
        if field.hasPresence && !mixed {
            // Explicit presence (proto2 optional, proto3 optional, messages, oneof members): absent != default,
            // so a changed oneof case shows as missing_in_shadow at one member and missing_in_primary at the other.
            switch (shadowValue, primaryValue) {
            case (nil, nil): return
            case (let value?, nil):
                walk.diffs.append(FieldDiff(path: path.text, kind: .missingInPrimary, v1: value, v2: nil))
                return
            case (nil, let value?):
                walk.diffs.append(FieldDiff(path: path.text, kind: .missingInShadow, v1: nil, v2: value))
                return
            case (let a?, let b?):
                compareValues(a, b, path: path, node: node, at: index, walk: &walk)
                return
            }
        }
        // Implicit presence (unset == default), or a v1 field and v2 source that differ in presence discipline:
        // values only. Unset on both sides agrees whatever defaults the two schemas declare (a v1 `[default = 5]`
        // against a v2 zero is a schema change `tandem check` reports, not a mismatch of every record); unset on one
        // side reads as that side's default: v1's declared one in the shadow, the type's zero in the projected
        // primary (an unset v2 source).
        if mixed && shadowValue == nil && primaryValue == nil { return }
        let a = shadowValue ?? shadow.get(field.number) ?? .zero(of: field, schema: plan.v1.schema)
        let b = primaryValue ?? (mixed ? nil : primary.get(field.number)) ?? .zero(of: field, schema: plan.v1.schema)
        compareValues(a, b, path: path, node: node, at: index, walk: &walk)
    }

    /// Compares two values of `node.fields[index]` (sub-messages field by field under the field's rules).
    private func compareValues(
        _ a: ProtoValue, _ b: ProtoValue, path: LazyPath, node: CompareRules.Node, at index: Int, walk: inout Walk
    ) {
        if case .message(let left) = a, case .message(let right) = b {
            compareFields(
                shadow: left, primary: right, node: rules.child(of: node, at: index, for: left.descriptor),
                path: path.text, walk: &walk)
            return
        }
        if !ValueEquality.scalarsEqual(a, b, tolerance: tolerance) {
            walk.diffs.append(FieldDiff(path: path.text, kind: .changed, v1: a, v2: b))
        }
    }

    private func compareOrdered(
        _ field: FieldDescriptor, _ left: [ProtoValue], _ right: [ProtoValue], path: String, node: CompareRules.Node,
        at fieldIndex: Int, walk: inout Walk
    ) {
        for index in 0..<max(left.count, right.count) {
            let elementPath = LazyPath(index: index, in: path)
            if let unrepresentable = walk.issue(at: elementPath) {
                let a = index < left.count ? left[index] : nil
                walk.diffs.append(FieldDiff(path: elementPath.text, kind: .changed, v1: a, v2: unrepresentable))
                continue
            }
            if index < left.count && index < right.count {
                compareValues(left[index], right[index], path: elementPath, node: node, at: fieldIndex, walk: &walk)
            } else if index < left.count {
                walk.diffs.append(
                    FieldDiff(path: elementPath.text, kind: .missingInPrimary, v1: left[index], v2: nil))
            } else {
                walk.diffs.append(
                    FieldDiff(path: elementPath.text, kind: .missingInShadow, v1: nil, v2: right[index]))
            }
        }
    }

    /// `compare.unordered`: the two lists as multisets. Unmatched shadow elements are missing_in_primary at their
    /// shadow index; unmatched primary elements are missing_in_shadow at their primary index.
    private func compareUnordered(
        _ field: FieldDescriptor, _ left: [ProtoValue], _ right: [ProtoValue], path: String, node: CompareRules.Node,
        at fieldIndex: Int, walk: inout Walk
    ) {
        var available: [Int] = []
        for index in right.indices {
            let elementPath = DiffPath.index(path, index)
            if let unrepresentable = walk.issue(at: elementPath) {
                walk.diffs.append(FieldDiff(path: elementPath, kind: .changed, v1: nil, v2: unrepresentable))
            } else {
                available.append(index)
            }
        }
        var unmatchedLeft: [Int] = []
        for (index, value) in left.enumerated() {
            if let match = available.firstIndex(where: {
                valuesEqual(value, right[$0], path: path, node: node, at: fieldIndex)
            }) {
                available.remove(at: match)
            } else {
                unmatchedLeft.append(index)
            }
        }
        for index in unmatchedLeft {
            walk.diffs.append(
                FieldDiff(path: DiffPath.index(path, index), kind: .missingInPrimary, v1: left[index], v2: nil))
        }
        for index in available {
            walk.diffs.append(
                FieldDiff(path: DiffPath.index(path, index), kind: .missingInShadow, v1: nil, v2: right[index]))
        }
    }

    private func valuesEqual(
        _ a: ProtoValue, _ b: ProtoValue, path: String, node: CompareRules.Node, at index: Int
    ) -> Bool {
        var probe = Walk(issues: [:])
        compareValues(a, b, path: LazyPath(path), node: node, at: index, walk: &probe)
        return probe.diffs.isEmpty
    }

    private func compareMaps(
        _ field: FieldDescriptor, _ left: DynamicMessage.FieldValue, _ right: DynamicMessage.FieldValue, path: String,
        node: CompareRules.Node, at index: Int, walk: inout Walk
    ) {
        var leftEntries: [ProtoValue: ProtoValue] = [:]
        var rightEntries: [ProtoValue: ProtoValue] = [:]
        if case .map(let entries) = left { leftEntries = entries }
        if case .map(let entries) = right { rightEntries = entries }
        if leftEntries.isEmpty && rightEntries.isEmpty { return }
        guard let entryType = plan.v1.schema.messageType(of: field), entryType.fields.count == 2 else { return }
        // Maps compare by key (DESIGN 4); keys are visited in path order so that output is deterministic.
        var keys = Array(leftEntries.keys)
        for key in rightEntries.keys where leftEntries[key] == nil { keys.append(key) }
        let ordered = keys.map { (DiffPath.key(path, $0), $0) }.sorted { $0.0 < $1.0 }
        for (elementPath, key) in ordered {
            let a = leftEntries[key]
            let b = rightEntries[key]
            if let unrepresentable = walk.issue(at: elementPath) {
                walk.diffs.append(FieldDiff(path: elementPath, kind: .changed, v1: a, v2: unrepresentable))
                continue
            }
            switch (a, b) {
            case (let a?, let b?): compareValues(a, b, path: LazyPath(elementPath), node: node, at: index, walk: &walk)
            case (let a?, nil): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInPrimary, v1: a, v2: nil))
            case (nil, let b?): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInShadow, v1: nil, v2: b))
            case (nil, nil): break
            }
        }
    }
}
