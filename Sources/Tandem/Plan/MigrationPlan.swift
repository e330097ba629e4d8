import TandemProto

/// A validated migration plan (DESIGN 3): the v1 and v2 schemas, the whitelist that feeds the shadow, how
/// records are compared, and the gate, breaker and sampling settings.
///
/// Load one from a plan directory with ``load(directory:converts:)``, or build one in Swift with
/// ``init(name:v1:v2:key:whitelist:compare:redact:gate:breaker:sampleRate:comparisonBudget:converts:fingerprint:)``. Either way
/// every name, path, convert and number is checked before the plan exists.
public struct MigrationPlan: Sendable {
    /// The plan's name.
    public let name: String
    /// The v1 (shadow) side.
    public let v1: PlanSchema
    /// The v2 (primary) side.
    public let v2: PlanSchema
    /// The v1 record type.
    public let v1Message: MessageDescriptor
    /// The v2 record type.
    public let v2Message: MessageDescriptor
    /// The v2 field path holding the record key, if the plan names one.
    public let key: FieldPath?
    /// The whitelisted v1 fields and their v2 sources, in plan order.
    public let whitelist: [WhitelistEntry]
    /// How records are compared.
    public let compare: CompareOptions
    /// v1 paths whose values never appear in clear in reports.
    public let redact: [FieldPath]
    /// The consistency gate settings.
    public let gate: GateConfiguration
    /// The circuit breaker settings.
    public let breaker: BreakerConfiguration
    /// The share of reads compared, in [0, 1].
    public let sampleRate: Double
    /// The background comparator's CPU budget (`comparison_budget`), when the plan sets one; the service's
    /// configuration may override it, and ``ComparisonBudget/default`` applies when neither sets one.
    public let comparisonBudget: ComparisonBudget?
    /// Named converts available to the whitelist.
    public let converts: ConvertRegistry
    /// Hex SHA-256 of the plan file and every schema file (or, for a plan built in Swift, of its schemas and
    /// settings): two runs with equal fingerprints ran the same plan.
    public let fingerprint: String
    /// The plan file the plan was loaded from (`nil` for a plan built in Swift).
    public let planFile: String?
    /// The `rollout:` block, when the plan has one: the steps a ``RolloutController`` walks. A plan built in Swift
    /// sets it after creation (``RolloutPlan``'s initializer validates it).
    public var rollout: RolloutPlan?

    /// The whitelist resolved against both schemas.
    let resolved: [ResolvedEntry]
    /// Full names of v1 fields whose v2 source has a different presence discipline: only values are compared.
    let mixedPresence: Set<String>
    /// The YAML line of each whitelist entry, for errors found after loading (empty for a plan built in Swift).
    var whitelistLines: [Int?] = []

    /// Builds and validates a plan from Swift values.
    ///
    /// - Parameters:
    ///   - name: The plan's name, as reports show it.
    ///   - v1: The shadow side: its schema and record message.
    ///   - v2: The primary side: its schema and record message.
    ///   - key: The v2 field path that holds each record's key; without one, traffic and callers give keys.
    ///   - whitelist: The v1 fields the shadow keeps, each with its v2 source and convert.
    ///   - compare: Fields ignored and repeated fields compared as multisets.
    ///   - redact: Fields shown only as salted hashes.
    ///   - gate: The consistency gate's budget, confidence, min_samples and window.
    ///   - breaker: The circuit breaker's open period and half-open probes.
    ///   - sampleRate: The share of reads compared.
    ///   - comparisonBudget: The CPU the background comparisons may use (nil: the default, 5% of the process).
    ///   - converts: Named converts the whitelist may use.
    ///   - fingerprint: The plan's fingerprint; by default a hash of both schemas and the settings.
    /// - Throws: ``PlanError`` naming the entry and the reason when a name, path, convert or number is wrong.
    public init(
        name: String,
        v1: PlanSchema,
        v2: PlanSchema,
        key: FieldPath? = nil,
        whitelist: [WhitelistEntry],
        compare: CompareOptions = .init(),
        redact: [FieldPath] = [],
        gate: GateConfiguration = .init(),
        breaker: BreakerConfiguration = .init(),
        sampleRate: Double = 1,
        comparisonBudget: ComparisonBudget? = nil,
        converts: ConvertRegistry = .init(),
        fingerprint: String? = nil
    ) throws(PlanError) {
        try self.init(
            name: name, v1: v1, v2: v2, key: key, whitelist: whitelist, compare: compare, redact: redact, gate: gate,
            breaker: breaker, sampleRate: sampleRate, comparisonBudget: comparisonBudget, converts: converts,
            fingerprint: fingerprint, planFile: nil)
    }

    init(
        name: String, v1: PlanSchema, v2: PlanSchema, key: FieldPath?, whitelist: [WhitelistEntry],
        compare: CompareOptions, redact: [FieldPath], gate: GateConfiguration, breaker: BreakerConfiguration,
        sampleRate: Double, comparisonBudget: ComparisonBudget?, converts: ConvertRegistry, fingerprint: String?,
        planFile: String?
    ) throws(PlanError) {
        var validator = PlanValidator(v1: v1, v2: v2, converts: converts)
        let (v1Message, v2Message) = try validator.resolveMessages()
        try PlanValidator.checkNumbers(compare: compare, gate: gate, breaker: breaker, sampleRate: sampleRate)
        if let key { try validator.checkKey(key, in: v2Message) }
        let resolved = try validator.resolveWhitelist(whitelist, v1Message: v1Message, v2Message: v2Message)
        try validator.checkComparePaths(compare: compare, redact: redact, in: v1Message)
        self.name = name
        self.v1 = v1
        self.v2 = v2
        self.v1Message = v1Message
        self.v2Message = v2Message
        self.key = key
        self.whitelist = whitelist
        self.compare = compare
        self.redact = redact
        self.gate = gate
        self.breaker = breaker
        self.sampleRate = sampleRate
        self.comparisonBudget = comparisonBudget
        self.converts = converts
        self.planFile = planFile
        self.resolved = resolved
        self.mixedPresence = validator.mixedPresence
        self.fingerprint =
            fingerprint
            ?? Self.swiftFingerprint(
                name: name, v1: v1, v2: v2, key: key, whitelist: whitelist, compare: compare, redact: redact,
                gate: gate, breaker: breaker, sampleRate: sampleRate)
    }

    /// A fingerprint of a plan built in Swift: both pools' descriptors and a canonical text of the settings.
    private static func swiftFingerprint(
        name: String, v1: PlanSchema, v2: PlanSchema, key: FieldPath?, whitelist: [WhitelistEntry],
        compare: CompareOptions, redact: [FieldPath], gate: GateConfiguration, breaker: BreakerConfiguration,
        sampleRate: Double
    ) -> String {
        var hasher = SHA256()
        for side in [v1, v2] {
            hasher.update(side.messageName.utf8)
            for file in side.schema.files {
                let bytes = (try? file.serializedBytes() as [UInt8]) ?? []
                hasher.update(String(bytes.count).utf8)
                hasher.update(bytes)
            }
        }
        let text =
            "\(name)|\(key?.description ?? "")|\(whitelist.map { "\($0.field)<\($0.sourcePath)<\(canonical($0.convert))" })"
            + "|\(compare)|\(redact)|\(gate)|\(breaker)|\(sampleRate)"
        hasher.update(text.utf8)
        return SHA256.hexString(hasher.finalize())
    }

    private static func canonical(_ convert: FieldConvert?) -> String {
        guard let convert else { return "" }
        if case .enumMap(let map) = convert {
            return "enum{" + map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
        }
        return convert.description
    }
}
