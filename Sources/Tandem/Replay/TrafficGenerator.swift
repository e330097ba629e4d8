import Foundation
import TandemProto

/// Synthesises realistic traffic for a plan: writes of random but well-formed v2 records (some with the legacy
/// v1 payload, some as proto3 JSON), reads and deletes of written keys, cohorts and increasing timestamps. A planted
/// bug makes a share of legacy v1 payloads diverge from their v2 record in one whitelisted field, as a buggy legacy
/// writer would.
public struct TrafficGenerator: Sendable {
    /// Settings of a generated traffic file.
    public struct Configuration: Sendable {
        /// Number of lines.
        public var operations: Int
        /// Seed of the random generator: the same seed gives the same file.
        public var seed: UInt64
        /// Share of writes whose legacy v1 payload carries a planted divergence.
        public var bugRate: Double
        /// Share of writes that carry a legacy v1 payload at all.
        public var legacyRate: Double
        /// Share of writes given as proto3 JSON instead of base64 bytes.
        public var jsonRate: Double
        /// Share of lines that are reads and deletes.
        public var readRate: Double, deleteRate: Double
        /// Time of the first line, and the mean gap between lines.
        public var start: Date, meanGap: Double
        /// Cohort names assigned to lines.
        public var cohorts: [String]
        /// Number of distinct keys.
        public var keySpace: Int

        /// Creates a configuration.
        public init(
            operations: Int = 5000, seed: UInt64 = 1, bugRate: Double = 0, legacyRate: Double = 0.3,
            jsonRate: Double = 0.2, readRate: Double = 0.45, deleteRate: Double = 0.03,
            start: Date = Date(timeIntervalSince1970: 1_790_000_000), meanGap: Double = 0.2,
            cohorts: [String] = ["web", "ios", "android"], keySpace: Int = 1500
        ) {
            self.operations = operations
            self.seed = seed
            self.bugRate = bugRate
            self.legacyRate = legacyRate
            self.jsonRate = jsonRate
            self.readRate = readRate
            self.deleteRate = deleteRate
            self.start = start
            self.meanGap = meanGap
            self.cohorts = cohorts
            self.keySpace = keySpace
        }
    }

    /// The plan traffic is made for.
    public let plan: MigrationPlan
    /// The settings.
    public let configuration: Configuration

    /// Creates a generator.
    public init(plan: MigrationPlan, configuration: Configuration = .init()) {
        self.plan = plan
        self.configuration = configuration
    }

    /// Writes the traffic lines to `sink`, one JSON object per call (without the newline). Returns the keys whose
    /// legacy payloads carry the planted bug.
    @discardableResult
    public func generate(_ sink: (String) throws -> Void) rethrows -> Set<String> {
        var rng = SplitMix64(seed: configuration.seed)
        var random = RandomMessages(schema: plan.v2.schema)
        let projection = Projection(plan: plan)
        var written: [String] = []
        var writtenSet: Set<String> = []
        var buggy: Set<String> = []
        var time = configuration.start.timeIntervalSince1970
        // Keys read like the record they name: `u17` for a UserProfile, `o17` for an Order.
        let keyPrefix = plan.v2Message.name.prefix(1).lowercased()
        for _ in 0..<configuration.operations {
            time += -configuration.meanGap * log(max(1e-9, Double.random(in: 0..<1, using: &rng)))
            let ts = RFC3339.format(Date(timeIntervalSince1970: time))
            let cohort =
                configuration.cohorts.isEmpty
                ? nil : configuration.cohorts[Int.random(in: 0..<configuration.cohorts.count, using: &rng)]
            var members: [JSONValue.Member] = []
            let roll = Double.random(in: 0..<1, using: &rng)
            if roll < configuration.readRate && !written.isEmpty {
                let key = written[Int.random(in: 0..<written.count, using: &rng)]
                members = [.init("op", .string("read")), .init("key", .string(key))]
            } else if roll < configuration.readRate + configuration.deleteRate && !written.isEmpty {
                let index = Int.random(in: 0..<written.count, using: &rng)
                let key = written[index]
                written.swapAt(index, written.count - 1)
                written.removeLast()
                writtenSet.remove(key)
                members = [.init("op", .string("delete")), .init("key", .string(key))]
            } else {
                let key = keyPrefix + String(Int.random(in: 0..<configuration.keySpace, using: &rng))
                var record = random.message(plan.v2Message, using: &rng)
                if let keyPath = plan.key { random.setKey(key, at: keyPath, in: &record) }
                members = [.init("op", .string("write")), .init("key", .string(key))]
                if Double.random(in: 0..<1, using: &rng) < configuration.jsonRate, let json = try? record.jsonValue() {
                    members.append(.init("v2_json", json))
                } else {
                    members.append(.init("v2", .string(ProtoJSONBase64.encode(record.serializedBytes()))))
                }
                if Double.random(in: 0..<1, using: &rng) < configuration.legacyRate {
                    var legacy = projection.project(record).message
                    if Double.random(in: 0..<1, using: &rng) < configuration.bugRate,
                        random.plantBug(in: &legacy, skipping: plan.compare.ignore, using: &rng)
                    {
                        buggy.insert(key)
                    } else {
                        buggy.remove(key)
                    }
                    members.append(.init("v1", .string(ProtoJSONBase64.encode(legacy.serializedBytes()))))
                } else {
                    buggy.remove(key)
                }
                if writtenSet.insert(key).inserted { written.append(key) }
            }
            members.append(.init("ts", .string(ts)))
            if let cohort { members.append(.init("cohort", .string(cohort))) }
            try sink(JSONValue.object(members).jsonString())
        }
        return buggy
    }
}
