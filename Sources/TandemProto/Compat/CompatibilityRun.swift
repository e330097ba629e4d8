/// One comparison in progress: the two pools, the pairs still to compare, and the findings so far.
struct CompatibilityRun {
    let v1: CompatibilityPool
    let v2: CompatibilityPool
    let policy: CompatibilityPolicy
    private(set) var findings: [CompatibilityFinding] = []
    private var seenMessages: Set<String> = []
    private var seenEnums: Set<String> = []
    private var pendingMessages: [(CompatibilityPool.Message, CompatibilityPool.Message)] = []
    private var pendingEnums: [(CompatibilityPool.Enum, CompatibilityPool.Enum)] = []
    /// A whole-schema check (``CompatibilityRoots/wholeSchema``): every type is paired on its own, so a compared
    /// message does not report its nested types' deletions, and named types compare by (translated) full name.
    var wholeSchema = false
    /// Whole-schema checks: the v2 package of each v1 package whose file's package changed.
    var packageMap: [String: String] = [:]

    init(v1: CompatibilityPool, v2: CompatibilityPool, policy: CompatibilityPolicy) {
        self.v1 = v1
        self.v2 = v2
        self.policy = policy
    }

    mutating func start(_ roots: CompatibilityRoots) throws(CompatibilityError) {
        switch roots {
        case .messages(let v1Name, let v2Name):
            let a = try Self.require(v1.messages[CompatibilityPool.trimmed(v1Name)], name: v1Name, in: v1)
            let b = try Self.require(v2.messages[CompatibilityPool.trimmed(v2Name)], name: v2Name, in: v2)
            enqueue(a, b)
        case .named(let name):
            let relative = CompatibilityPool.trimmed(name)
            let a = try Self.require(v1.requestedMessage(relativeName: relative), name: name, in: v1)
            let b = try Self.require(v2.requestedMessage(relativeName: relative), name: name, in: v2)
            enqueue(a, b)
        case .wholeSchema:
            wholeSchema = true
            startWholeSchema()
        case .allTopLevel:
            let v2Messages = Dictionary(
                v2.topLevelMessages.map { ($0.relativeName, $0) }, uniquingKeysWith: { a, _ in a })
            let v2Enums = Dictionary(v2.topLevelEnums.map { ($0.relativeName, $0) }, uniquingKeysWith: { a, _ in a })
            var common = 0
            for message in v1.topLevelMessages {
                if let other = v2Messages[message.relativeName] {
                    enqueue(message, other)
                    common += 1
                } else {
                    report(
                        .messageNoDelete,
                        v1: v1.locate(file: message.file, path: message.path, element: message.fullName),
                        v2: nil,
                        "message \(message.relativeName) is gone in v2: code and services that use it stop compiling")
                }
            }
            for enumType in v1.topLevelEnums {
                if let other = v2Enums[enumType.relativeName] {
                    enqueue(enumType, other)
                } else {
                    report(
                        .enumNoDelete,
                        v1: v1.locate(file: enumType.file, path: enumType.path, element: enumType.fullName),
                        v2: nil, "enum \(enumType.relativeName) is gone in v2: code that uses it stops compiling")
                }
            }
            if common == 0 {
                throw CompatibilityError(
                    .nothingInCommon, side: nil, files: v1.schema.requested + v2.schema.requested,
                    reason: "no top-level message exists in both v1 and v2 (names are compared relative to each "
                        + "file's package); name the messages with --message")
            }
        }
        drain()
    }

    private static func require(_ message: CompatibilityPool.Message?, name: String, in pool: CompatibilityPool)
        throws(CompatibilityError) -> CompatibilityPool.Message
    {
        guard let message else {
            let known = pool.topLevelMessages.map(\.relativeName)
            throw CompatibilityError(
                .messageNotFound, side: pool.side, files: pool.schema.requested,
                reason: "message \(name) is not defined"
                    + (known.isEmpty ? "" : " (top-level messages: \(known.joined(separator: ", ")))"))
        }
        return message
    }

    // MARK: Work list

    mutating func enqueue(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        if seenMessages.insert(a.fullName + "|" + b.fullName).inserted { pendingMessages.append((a, b)) }
    }

    mutating func enqueue(_ a: CompatibilityPool.Enum, _ b: CompatibilityPool.Enum) {
        if seenEnums.insert(a.fullName + "|" + b.fullName).inserted { pendingEnums.append((a, b)) }
    }

    private mutating func drain() {
        while !pendingMessages.isEmpty || !pendingEnums.isEmpty {
            if !pendingMessages.isEmpty {
                let (a, b) = pendingMessages.removeFirst()
                compareMessages(a, b)
            } else {
                let (a, b) = pendingEnums.removeFirst()
                compareEnums(a, b)
            }
        }
    }

    // MARK: Findings

    /// Records a finding unless its rule is off under the policy.
    mutating func report(
        _ rule: CompatibilityRule, v1: FindingLocation?, v2: FindingLocation?, _ message: String
    ) {
        let severity = rule.severity(under: policy)
        guard severity != .off else { return }
        findings.append(CompatibilityFinding(rule: rule, severity: severity, v1: v1, v2: v2, message: message))
    }
}
