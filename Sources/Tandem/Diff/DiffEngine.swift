import TandemProto

/// Compares a shadow record (decoded with v1) with its projected primary, field by field, under DESIGN 4's
/// semantics, and lists every difference at its exact path.
///
/// Only whitelisted v1 fields are compared, minus `compare.ignore`. Unknown fields are never differences (see
/// ``Comparison/unknownFields``).
public struct DiffEngine: Sendable {
    /// The plan whose rules the engine applies.
    public let plan: MigrationPlan
    /// The projection used by ``compare(shadowPayload:primaryPayload:)``.
    public let projection: Projection

    private let ignored: Set<String>
    private let unordered: Set<String>
    private let tolerance: Double
    private let topFields: [FieldDescriptor]

    /// Creates the engine of a plan.
    public init(plan: MigrationPlan) {
        self.plan = plan
        self.projection = Projection(plan: plan)
        self.ignored = Set(plan.compare.ignore.map(\.description))
        self.unordered = Set(plan.compare.unordered.map(\.description))
        self.tolerance = plan.compare.floatTolerance
        self.topFields = plan.resolved.map(\.v1Field).sorted { $0.number < $1.number }
    }

    /// The differences between a shadow record and a projected primary, in field-number order.
    ///
    /// Values that the projection could not represent in the v1 shape are reported as `changed` at their path.
    public func diff(shadow: DynamicMessage, primary: ProjectedRecord) -> [FieldDiff] {
        var walk = Walk(issues: primary.unrepresentable)
        compareFields(
            shadow: shadow, primary: primary.message, type: plan.v1Message, fields: topFields, path: "", walk: &walk)
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
    }

    private func isIgnored(_ schemaPath: String) -> Bool {
        guard !ignored.isEmpty else { return false }
        if ignored.contains(schemaPath) { return true }
        // An ignored message field hides its sub-fields too.
        return ignored.contains { schemaPath.hasPrefix($0 + ".") }
    }

    private func compareFields(
        shadow: DynamicMessage, primary: DynamicMessage, type: MessageDescriptor, fields: [FieldDescriptor],
        path: String, walk: inout Walk
    ) {
        for field in fields {
            let fieldPath = DiffPath.field(path, field.name)
            let schemaPath = DiffPath.schemaPath(fieldPath)
            if isIgnored(schemaPath) { continue }
            let left = Self.value(of: field, in: shadow)
            let right = Self.value(of: field, in: primary)
            if field.isMap {
                compareMaps(field, left, right, path: fieldPath, walk: &walk)
            } else if field.isRepeated {
                var leftValues: [ProtoValue] = []
                var rightValues: [ProtoValue] = []
                if case .repeated(let values) = left { leftValues = values }
                if case .repeated(let values) = right { rightValues = values }
                if unordered.contains(schemaPath) {
                    compareUnordered(field, leftValues, rightValues, path: fieldPath, walk: &walk)
                } else {
                    compareOrdered(field, leftValues, rightValues, path: fieldPath, walk: &walk)
                }
            } else {
                let mixed = plan.mixedPresence.contains(type.fullName + "." + field.name)
                compareSingular(field, left, right, shadow: shadow, primary: primary, mixed: mixed, path: fieldPath, walk: &walk)
            }
        }
    }

    private static func value(of field: FieldDescriptor, in message: DynamicMessage) -> DynamicMessage.FieldValue {
        guard let position = message.descriptor.position(ofNumber: field.number) else { return .unset }
        return message.fieldValue(at: position)
    }

    private func compareSingular(
        _ field: FieldDescriptor, _ left: DynamicMessage.FieldValue, _ right: DynamicMessage.FieldValue,
        shadow: DynamicMessage, primary: DynamicMessage, mixed: Bool, path: String, walk: inout Walk
    ) {
        var shadowValue: ProtoValue? = nil
        var primaryValue: ProtoValue? = nil
        if case .single(let value) = left { shadowValue = value }
        if case .single(let value) = right { primaryValue = value }
        if let unrepresentable = walk.issue(at: path) {
            walk.diffs.append(FieldDiff(path: path, kind: .changed, v1: shadowValue, v2: unrepresentable))
            return
        }
        if field.hasPresence && !mixed {
            // Explicit presence (proto2 optional, proto3 optional, messages, oneof members): absent != default,
            // so a changed oneof case shows as missing_in_shadow at one member and missing_in_primary at the other.
            switch (shadowValue, primaryValue) {
            case (nil, nil): return
            case (let value?, nil):
                walk.diffs.append(FieldDiff(path: path, kind: .missingInPrimary, v1: value, v2: nil))
                return
            case (nil, let value?):
                walk.diffs.append(FieldDiff(path: path, kind: .missingInShadow, v1: nil, v2: value))
                return
            case (let a?, let b?):
                compareValues(field, a, b, path: path, walk: &walk)
                return
            }
        }
        // Implicit presence (unset == default), or a v1 field and v2 source that differ in presence discipline:
        // values only, absent = default.
        let a = shadowValue ?? shadow.get(field.number) ?? .zero(of: field, schema: plan.v1.schema)
        let b = primaryValue ?? primary.get(field.number) ?? .zero(of: field, schema: plan.v1.schema)
        compareValues(field, a, b, path: path, walk: &walk)
    }

    private func compareValues(_ field: FieldDescriptor, _ a: ProtoValue, _ b: ProtoValue, path: String, walk: inout Walk) {
        if case .message(let left) = a, case .message(let right) = b {
            compareFields(
                shadow: left, primary: right, type: left.descriptor, fields: left.descriptor.fields, path: path,
                walk: &walk)
            return
        }
        if !ValueEquality.scalarsEqual(a, b, tolerance: tolerance) {
            walk.diffs.append(FieldDiff(path: path, kind: .changed, v1: a, v2: b))
        }
    }

    private func compareOrdered(
        _ field: FieldDescriptor, _ left: [ProtoValue], _ right: [ProtoValue], path: String, walk: inout Walk
    ) {
        for index in 0..<max(left.count, right.count) {
            let elementPath = DiffPath.index(path, index)
            let a = index < left.count ? left[index] : nil
            let b = index < right.count ? right[index] : nil
            if let unrepresentable = walk.issue(at: elementPath) {
                walk.diffs.append(FieldDiff(path: elementPath, kind: .changed, v1: a, v2: unrepresentable))
                continue
            }
            switch (a, b) {
            case (let a?, let b?): compareValues(field, a, b, path: elementPath, walk: &walk)
            case (let a?, nil): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInPrimary, v1: a, v2: nil))
            case (nil, let b?): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInShadow, v1: nil, v2: b))
            case (nil, nil): break
            }
        }
    }

    /// `compare.unordered`: the two lists as multisets. Unmatched shadow elements are missing_in_primary at their
    /// shadow index; unmatched primary elements are missing_in_shadow at their primary index.
    private func compareUnordered(
        _ field: FieldDescriptor, _ left: [ProtoValue], _ right: [ProtoValue], path: String, walk: inout Walk
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
            if let match = available.firstIndex(where: { valuesEqual(field, value, right[$0], path: path) }) {
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

    private func valuesEqual(_ field: FieldDescriptor, _ a: ProtoValue, _ b: ProtoValue, path: String) -> Bool {
        var probe = Walk(issues: [:])
        compareValues(field, a, b, path: path, walk: &probe)
        return probe.diffs.isEmpty
    }

    private func compareMaps(
        _ field: FieldDescriptor, _ left: DynamicMessage.FieldValue, _ right: DynamicMessage.FieldValue, path: String,
        walk: inout Walk
    ) {
        var leftEntries: [ProtoValue: ProtoValue] = [:]
        var rightEntries: [ProtoValue: ProtoValue] = [:]
        if case .map(let entries) = left { leftEntries = entries }
        if case .map(let entries) = right { rightEntries = entries }
        guard let entryType = plan.v1.schema.messageType(of: field), entryType.fields.count == 2 else { return }
        let valueField = entryType.fields[1]
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
            case (let a?, let b?): compareValues(valueField, a, b, path: elementPath, walk: &walk)
            case (let a?, nil): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInPrimary, v1: a, v2: nil))
            case (nil, let b?): walk.diffs.append(FieldDiff(path: elementPath, kind: .missingInShadow, v1: nil, v2: b))
            case (nil, nil): break
            }
        }
    }
}
