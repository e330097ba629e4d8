import Foundation
import TandemProto
import Yams

extension MigrationPlan {
    /// Loads and validates the plan in `directory` (its `tandem.yaml` and the schema files it names).
    ///
    /// v1 and v2 are compiled by separate compiler calls into separate pools. Import roots are the plan directory
    /// first, then `proto_path` entries relative to it.
    ///
    /// - Parameters:
    ///   - directory: The plan directory, holding `tandem.yaml`.
    ///   - converts: Named converts the plan may use (`convert: <name>`).
    /// - Throws: ``PlanError`` naming the plan file, the YAML line, the entry and the reason.
    public static func load(directory: String, converts: ConvertRegistry = .init()) throws(PlanError) -> MigrationPlan {
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let planFile = trimmed + "/tandem.yaml"
        var reader = PlanYAMLReader(file: planFile, directory: trimmed)
        do {
            return try reader.load(converts: converts)
        } catch {
            var located = error
            located.file = planFile
            if located.line == nil { located.line = reader.line(for: error.anchor) }
            throw located
        }
    }
}

/// Reads `tandem.yaml` node by node, keeping each entry's line so that errors can point at it.
struct PlanYAMLReader {
    let file: String
    let directory: String
    /// Line of each entry, by anchor (`whitelist[2]`, `whitelist[2].convert`, `gate.confidence`).
    private(set) var lines: [String: Int] = [:]

    init(file: String, directory: String) {
        self.file = file
        self.directory = directory
    }

    /// The line of `anchor`, or of the nearest enclosing entry that has one.
    func line(for anchor: String?) -> Int? {
        guard var anchor else { return nil }
        while true {
            if let line = lines[anchor] { return line }
            if let cut = anchor.lastIndex(where: { $0 == "." || $0 == "[" }) {
                anchor = String(anchor[..<cut])
            } else {
                return nil
            }
        }
    }

    mutating func load(converts: ConvertRegistry) throws(PlanError) -> MigrationPlan {
        let yamlBytes = try readFile(planFilePath: file, anchor: nil, what: "plan file")
        guard let text = String(validating: yamlBytes, as: UTF8.self) else {
            throw PlanError(.invalidYAML, entry: nil, anchor: nil, reason: "the plan file is not valid UTF-8")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            var failure = PlanError(.invalidYAML, entry: nil, anchor: nil, reason: "not valid YAML: \(error)")
            if let yamlError = error as? YamlError, case .scanner(_, _, let mark, _) = yamlError {
                failure.line = mark.line
            } else if let yamlError = error as? YamlError, case .parser(_, _, let mark, _) = yamlError {
                failure.line = mark.line
            }
            throw failure
        }
        guard let root else {
            throw PlanError(.invalidYAML, entry: nil, anchor: nil, reason: "the plan file is empty")
        }
        let top = try entries(
            of: root, anchor: "",
            allowed: [
                "name", "v1", "v2", "proto_path", "key", "whitelist", "compare", "redact", "gate", "breaker",
                "sample_rate", "comparison_budget", "rollout",
            ])

        let name =
            try top["name"].map { node throws(PlanError) in try string(node, anchor: "name") }
            ?? URL(fileURLWithPath: directory).lastPathComponent
        let protoPath =
            try top["proto_path"].map { node throws(PlanError) in try stringList(node, anchor: "proto_path") } ?? []
        let roots = [directory] + protoPath.map(resolve)
        for (root, given) in zip(roots.dropFirst(), protoPath) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PlanError(
                    .notFound, entry: "proto_path", anchor: "proto_path",
                    reason: "proto_path entry \(given) is not a directory (\(root))")
            }
        }

        var fingerprint = SHA256()
        fingerprint.update(String(yamlBytes.count).utf8)
        fingerprint.update(yamlBytes)
        guard let v1Node = top["v1"] else { throw missing("v1", "v1: { proto: v1.proto, message: ... }") }
        guard let v2Node = top["v2"] else { throw missing("v2", "v2: { proto: v2.proto, message: ... }") }
        let v1 = try side(v1Node, anchor: "v1", roots: roots, fingerprint: &fingerprint)
        let v2 = try side(v2Node, anchor: "v2", roots: roots, fingerprint: &fingerprint)

        let key = try top["key"].map { node throws(PlanError) in FieldPath(parsing: try string(node, anchor: "key")) }
        guard let whitelistNode = top["whitelist"] else { throw missing("whitelist", "whitelist: [{ field: id }]") }
        let whitelist = try whitelistEntries(whitelistNode)
        let compare = try top["compare"].map { node throws(PlanError) in try compareOptions(node) } ?? CompareOptions()
        let redact =
            try top["redact"].map { node throws(PlanError) in try stringList(node, anchor: "redact") }?
            .map(FieldPath.init(parsing:)) ?? []
        let gate = try top["gate"].map { node throws(PlanError) in try gateConfiguration(node) } ?? GateConfiguration()
        let breaker =
            try top["breaker"].map { node throws(PlanError) in try breakerConfiguration(node) }
            ?? BreakerConfiguration()
        let sampleRate =
            try top["sample_rate"].map { node throws(PlanError) in try number(node, anchor: "sample_rate") } ?? 1
        let budget = try top["comparison_budget"].map { node throws(PlanError) in try comparisonBudget(node) }

        var plan = try MigrationPlan(
            name: name, v1: v1, v2: v2, key: key, whitelist: whitelist, compare: compare, redact: redact, gate: gate,
            breaker: breaker, sampleRate: sampleRate, comparisonBudget: budget, converts: converts,
            fingerprint: SHA256.hexString(fingerprint.finalize()), planFile: file)
        plan.whitelistLines = whitelist.indices.map { lines["whitelist[\($0)]"] }
        plan.rollout = try top["rollout"].map { node throws(PlanError) in try rolloutPlan(node) }
        return plan
    }

    // MARK: Sections

    private mutating func side(_ node: Node, anchor: String, roots: [String], fingerprint: inout SHA256)
        throws(PlanError) -> PlanSchema
    {
        let keys = try entries(of: node, anchor: anchor, allowed: ["proto", "message", "descriptor_set"])
        guard let messageNode = keys["message"] else {
            throw missing(anchor + ".message", "\(anchor): { proto: \(anchor).proto, message: package.Message }")
        }
        let message = try string(messageNode, anchor: anchor + ".message")
        switch (keys["proto"], keys["descriptor_set"]) {
        case (nil, nil):
            throw missing(anchor + ".proto", "\(anchor) needs proto (a file or a list) or descriptor_set")
        case (.some, .some):
            throw PlanError(
                .conflict, entry: anchor, anchor: anchor + ".descriptor_set",
                reason: "give either proto or descriptor_set, not both")
        case (let protoNode?, nil):
            let files: [String]
            if case .scalar = protoNode {
                files = [try string(protoNode, anchor: anchor + ".proto")]
            } else {
                files = try stringList(protoNode, anchor: anchor + ".proto")
            }
            guard !files.isEmpty else {
                throw PlanError(
                    .missingKey, entry: anchor + ".proto", anchor: anchor + ".proto",
                    reason: "the list of files is empty")
            }
            let compiled: CompiledFiles
            let schema: Schema
            do {
                // Each side gets its own compiler call, hence its own pool (DESIGN 3).
                compiled = try ProtoCompiler(importPaths: roots).compile(files)
                schema = try compiled.schema()
            } catch let error as ProtoError {
                throw PlanError(.schema, entry: anchor + ".proto", anchor: anchor + ".proto", reason: error.description)
            } catch let error as SchemaError {
                throw PlanError(.schema, entry: anchor + ".proto", anchor: anchor + ".proto", reason: error.description)
            } catch {
                throw PlanError(.schema, entry: anchor + ".proto", anchor: anchor + ".proto", reason: "\(error)")
            }
            fingerprint.update("\(anchor):proto".utf8)
            for compiledFile in compiled.files {
                // Built-in well-known types have no file on disk; every file that does is part of the fingerprint.
                guard
                    let path = roots.map({ $0 + "/" + compiledFile.name }).first(where: {
                        FileManager.default.fileExists(atPath: $0)
                    })
                else { continue }
                let bytes = try readFile(planFilePath: path, anchor: anchor + ".proto", what: "schema file")
                fingerprint.update("\(compiledFile.name):\(bytes.count):".utf8)
                fingerprint.update(bytes)
            }
            return PlanSchema(schema: schema, messageName: message, files: files)
        case (nil, let setNode?):
            let name = try string(setNode, anchor: anchor + ".descriptor_set")
            let bytes = try readFile(
                planFilePath: resolve(name), anchor: anchor + ".descriptor_set", what: "descriptor set")
            let schema: Schema
            do {
                schema = try Schema(descriptorSet: bytes, origin: name)
            } catch {
                throw PlanError(
                    .schema, entry: anchor + ".descriptor_set", anchor: anchor + ".descriptor_set",
                    reason: error.description)
            }
            fingerprint.update("\(anchor):descriptor_set:\(bytes.count):".utf8)
            fingerprint.update(bytes)
            return PlanSchema(schema: schema, messageName: message, files: [name])
        }
    }

    private mutating func whitelistEntries(_ node: Node) throws(PlanError) -> [WhitelistEntry] {
        guard case .sequence(let sequence) = node else {
            throw shape("whitelist", "a list of entries like `- field: id`", node)
        }
        var result: [WhitelistEntry] = []
        for (index, item) in sequence.enumerated() {
            let anchor = "whitelist[\(index)]"
            if let mark = item.mark { lines[anchor] = mark.line }
            let keys = try entries(of: item, anchor: anchor, allowed: ["field", "from", "convert"])
            guard let fieldNode = keys["field"] else {
                throw missing(anchor + ".field", "each entry names its v1 field: `- field: name`")
            }
            let field = try string(fieldNode, anchor: anchor + ".field")
            let from = try keys["from"].map { node throws(PlanError) in
                FieldPath(parsing: try string(node, anchor: anchor + ".from"))
            }
            let convert = try keys["convert"].map { node throws(PlanError) in
                try self.convert(node, anchor: anchor + ".convert", field: field)
            }
            result.append(WhitelistEntry(field: field, from: from, convert: convert))
        }
        return result
    }

    private mutating func convert(_ node: Node, anchor: String, field: String) throws(PlanError) -> FieldConvert {
        if case .scalar = node { return FieldConvert(name: try string(node, anchor: anchor)) }
        let keys = try entries(of: node, anchor: anchor, allowed: ["enum"])
        guard let mapNode = keys["enum"], case .mapping(let mapping) = mapNode else {
            throw shape(anchor, "a convert name or { enum: { V2_NAME: V1_NAME } }", node)
        }
        var map: [String: String] = [:]
        for (key, value) in mapping {
            let from = try string(key, anchor: anchor)
            guard map[from] == nil else {
                throw PlanError(.conflict, entry: anchor, anchor: anchor, reason: "enum value \(from) is mapped twice")
            }
            map[from] = try string(value, anchor: anchor)
        }
        return .enumMap(map)
    }

    private mutating func compareOptions(_ node: Node) throws(PlanError) -> CompareOptions {
        let keys = try entries(of: node, anchor: "compare", allowed: ["ignore", "unordered", "float_tolerance"])
        var options = CompareOptions()
        if let ignore = keys["ignore"] {
            options.ignore = try stringList(ignore, anchor: "compare.ignore").map(FieldPath.init(parsing:))
        }
        if let unordered = keys["unordered"] {
            options.unordered = try stringList(unordered, anchor: "compare.unordered").map(FieldPath.init(parsing:))
        }
        if let tolerance = keys["float_tolerance"] {
            options.floatTolerance = try number(tolerance, anchor: "compare.float_tolerance")
        }
        return options
    }

    private mutating func gateConfiguration(_ node: Node) throws(PlanError) -> GateConfiguration {
        let keys = try entries(
            of: node, anchor: "gate",
            allowed: ["min_consistency", "confidence", "min_samples", "window", "window_seconds"])
        var gate = GateConfiguration()
        if let value = keys["min_consistency"] {
            gate.minConsistency = try number(value, anchor: "gate.min_consistency")
        }
        if let value = keys["confidence"] { gate.confidence = try number(value, anchor: "gate.confidence") }
        if let value = keys["min_samples"] { gate.minSamples = try integer(value, anchor: "gate.min_samples") }
        switch (keys["window"], keys["window_seconds"]) {
        case (.some, .some):
            throw PlanError(
                .conflict, entry: "gate.window_seconds", anchor: "gate.window_seconds",
                reason: "give either window (comparisons) or window_seconds, not both")
        case (let count?, nil): gate.window = .count(try integer(count, anchor: "gate.window"))
        case (nil, let seconds?): gate.window = .seconds(try number(seconds, anchor: "gate.window_seconds"))
        case (nil, nil): break
        }
        return gate
    }

    private mutating func breakerConfiguration(_ node: Node) throws(PlanError) -> BreakerConfiguration {
        let keys = try entries(
            of: node, anchor: "breaker",
            allowed: ["open_seconds", "half_open_probes", "evaluation_interval", "trip_confidence", "mode"])
        var breaker = BreakerConfiguration()
        if let value = keys["open_seconds"] { breaker.openSeconds = try number(value, anchor: "breaker.open_seconds") }
        if let value = keys["half_open_probes"] {
            breaker.halfOpenProbes = try integer(value, anchor: "breaker.half_open_probes")
        }
        if let value = keys["evaluation_interval"] {
            breaker.evaluationInterval = try integer(value, anchor: "breaker.evaluation_interval")
        }
        if let value = keys["trip_confidence"] {
            breaker.tripConfidence = try number(value, anchor: "breaker.trip_confidence")
        }
        if let value = keys["mode"] {
            let text = try string(value, anchor: "breaker.mode")
            guard let mode = BreakerConfiguration.Mode(rawValue: text) else {
                throw PlanError(
                    .invalidYAML, entry: "breaker.mode", anchor: "breaker.mode",
                    reason: "unknown mode \(text) (enforce, metrics_only, disabled)")
            }
            breaker.mode = mode
        }
        return breaker
    }

    // MARK: Nodes

    /// The keys of a mapping node, rejecting unknown and repeated keys, and recording each key's line.
    private mutating func entries(of node: Node, anchor: String, allowed: Set<String>) throws(PlanError)
        -> [String: Node]
    {
        guard case .mapping(let mapping) = node else {
            throw shape(anchor.isEmpty ? "plan" : anchor, "a mapping (key: value)", node)
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let path = anchor.isEmpty ? key : anchor + "." + key
            if let mark = keyNode.mark { lines[path] = mark.line }
            guard allowed.contains(key) else {
                let suggestion =
                    allowed.min { editDistance($0, key) < editDistance($1, key) }
                    .flatMap { editDistance($0, key) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
                throw PlanError(
                    .unknownKey, entry: path, anchor: path,
                    reason: "unknown key \(key)\(suggestion); allowed here: \(allowed.sorted().joined(separator: ", "))"
                )
            }
            guard result[key] == nil else {
                throw PlanError(.conflict, entry: path, anchor: path, reason: "key \(key) is given twice")
            }
            result[key] = value
        }
        return result
    }

    private mutating func stringList(_ node: Node, anchor: String) throws(PlanError) -> [String] {
        guard case .sequence(let sequence) = node else { throw shape(anchor, "a list of strings", node) }
        var result: [String] = []
        for (index, item) in sequence.enumerated() {
            if let mark = item.mark { lines["\(anchor)[\(index)]"] = mark.line }
            result.append(try string(item, anchor: "\(anchor)[\(index)]"))
        }
        return result
    }

    private func string(_ node: Node, anchor: String) throws(PlanError) -> String {
        guard case .scalar(let scalar) = node else { throw shape(anchor, "a string", node) }
        return scalar.string
    }

    private mutating func rolloutPlan(_ node: Node) throws(PlanError) -> RolloutPlan {
        let keys = try entries(
            of: node, anchor: "rollout",
            allowed: ["stages", "canary", "min_dwell_seconds", "promote_when", "rollback_on"])
        func choice<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type) throws(PlanError)
            -> Value? where Value.RawValue == String
        {
            guard let node = keys[key] else { return nil }
            let text = try string(node, anchor: "rollout." + key)
            guard let value = Value(rawValue: text) else {
                throw PlanError(
                    .outOfRange, entry: "rollout." + key, anchor: "rollout." + key,
                    reason: "rollout.\(key) must be "
                        + Value.allCases.map { "`\($0.rawValue)`" }.joined(separator: " or ") + ", found \"\(text)\"")
            }
            return value
        }
        var stages: [MigrationStage] = [.dualwrite, .shadow, .live]
        if let stagesNode = keys["stages"] {
            stages = []
            for (index, name) in try stringList(stagesNode, anchor: "rollout.stages").enumerated() {
                guard let stage = MigrationStage(rawValue: name) else {
                    throw PlanError(
                        .outOfRange, entry: "rollout.stages[\(index)]", anchor: "rollout.stages[\(index)]",
                        reason: "rollout.stages lists stages (dualwrite, shadow, live), found \"\(name)\"")
                }
                stages.append(stage)
            }
        }
        var canary = [1, 5, 25, 50, 100]
        if case .sequence(let sequence)? = keys["canary"] {
            canary = []
            for (index, item) in sequence.enumerated() {
                if let mark = item.mark { lines["rollout.canary[\(index)]"] = mark.line }
                canary.append(try integer(item, anchor: "rollout.canary[\(index)]"))
            }
        } else if let canaryNode = keys["canary"] {
            throw shape("rollout.canary", "a list of percents", canaryNode)
        }
        let dwell = try keys["min_dwell_seconds"].map { node throws(PlanError) in
            try number(node, anchor: "rollout.min_dwell_seconds")
        }
        return try RolloutPlan(
            stages: stages, canary: canary, minDwellSeconds: dwell ?? 600,
            promoteWhen: try choice("promote_when", RolloutPlan.PromoteCondition.self) ?? .confident,
            rollbackOn: try choice("rollback_on", RolloutPlan.RollbackCondition.self) ?? .breakerOpen)
    }

    private func comparisonBudget(_ node: Node) throws(PlanError) -> ComparisonBudget {
        let text = try string(node, anchor: "comparison_budget")
        guard let budget = ComparisonBudget(parsing: text) else {
            throw PlanError(
                .outOfRange, entry: "comparison_budget", anchor: "comparison_budget",
                reason: "comparison_budget must be `unlimited`, a fraction of one core (0.25) or a share of the "
                    + "process's CPU in percent (5%), found \"\(text)\"")
        }
        return budget
    }

    private func number(_ node: Node, anchor: String) throws(PlanError) -> Double {
        guard let value = node.float else { throw shape(anchor, "a number", node) }
        return value
    }

    private func integer(_ node: Node, anchor: String) throws(PlanError) -> Int {
        guard let value = node.int else { throw shape(anchor, "an integer", node) }
        return value
    }

    private func shape(_ anchor: String, _ expected: String, _ node: Node) -> PlanError {
        let found: String
        switch node {
        case .scalar(let scalar): found = "\"\(scalar.string)\""
        case .mapping: found = "a mapping"
        case .sequence: found = "a list"
        case .alias: found = "an alias"
        }
        var error = PlanError(
            .invalidYAML, entry: anchor, anchor: anchor, reason: "expected \(expected), found \(found)")
        error.line = node.mark?.line
        return error
    }

    private func missing(_ anchor: String, _ hint: String) -> PlanError {
        PlanError(.missingKey, entry: anchor, anchor: anchor, reason: "missing; expected \(hint)")
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    private func readFile(planFilePath path: String, anchor: String?, what: String) throws(PlanError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanError(.unreadable, entry: anchor, anchor: anchor, reason: "cannot read \(what) \(path)")
        }
        return [UInt8](data)
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = Swift.min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
