/// Groups diffs by normalised path and kind, counting them and keeping a bounded, redacted sample of each group.
package struct MismatchAggregator: Sendable {
    /// Samples kept per group.
    package let maxSamplesPerGroup: Int
    /// Replaces redacted values before any sample is kept: no clear value is ever stored.
    package let redactor: Redactor

    private struct GroupKey: Hashable {
        let path: String
        let kind: FieldDiff.Kind
    }
    private var groupsByKey: [GroupKey: MismatchGroup] = [:]

    /// Creates an aggregator.
    package init(redactor: Redactor, maxSamplesPerGroup: Int = 10) {
        self.redactor = redactor
        self.maxSamplesPerGroup = max(0, maxSamplesPerGroup)
    }

    /// Adds the diffs of one key.
    package mutating func add(key: String, diffs: [FieldDiff]) {
        for diff in diffs {
            let groupKey = GroupKey(path: diff.normalizedPath, kind: diff.kind)
            var group = groupsByKey[groupKey] ?? MismatchGroup(path: groupKey.path, kind: groupKey.kind)
            group.count += 1
            if group.samples.count < maxSamplesPerGroup {
                group.samples.append(MismatchSample(key: key, diff: redactor.redact(diff)))
            }
            groupsByKey[groupKey] = group
        }
    }

    /// The groups, most frequent first (ties by path, then kind).
    package var groups: [MismatchGroup] {
        groupsByKey.values.sorted {
            if $0.count != $1.count { return $0.count > $1.count }
            if $0.path != $1.path { return $0.path < $1.path }
            return $0.kind.rawValue < $1.kind.rawValue
        }
    }
}
