extension Report {
    /// One plan setting a run used, typed where Tandem knows it (the report's `settings`, in the order the engine
    /// lists them).
    ///
    /// ``key`` and ``value`` are the setting's contract spelling: the JSON report's `settings` object, the HTML and
    /// JUnit settings, and the ledger all use them (`gate.window` -> `1000 comparisons`), and
    /// ``init(key:value:)`` reads them back.
    public enum Setting: Sendable, Codable, Hashable {
        /// `v1`: the full name of the v1 (shadow) record message.
        case v1Message(String)
        /// `v2`: the full name of the v2 (primary) record message.
        case v2Message(String)
        /// `key`: the v2 field path of each record's key; nil when keys come from the traffic or the caller.
        case key(String?)
        /// `whitelist`: the v1 fields the shadow keeps.
        case whitelist([String])
        /// `gate.min_consistency`.
        case minConsistency(Double)
        /// `gate.confidence`.
        case confidence(Double)
        /// `gate.min_samples`.
        case minSamples(Int)
        /// `gate.window` or `gate.window_seconds`.
        case window(GateConfiguration.Window)
        /// `breaker.open_seconds`.
        case openSeconds(Double)
        /// `breaker.half_open_probes`.
        case halfOpenProbes(Int)
        /// `sample_rate`.
        case sampleRate(Double)
        /// `write mode`: how the dual write commits.
        case writeMode(DualWriteMode)
        /// `compare.ignore`: fields never compared.
        case compareIgnore([String])
        /// `compare.unordered`: repeated fields compared as multisets.
        case compareUnordered([String])
        /// `redact`: fields shown only as salted hashes.
        case redact([String])
        /// A setting Tandem does not know (a newer ledger's, or one a service added), kept as written.
        case other(key: String, value: String)

        /// The setting's name (`gate.min_samples`).
        public var key: String {
            switch self {
            case .v1Message: "v1"
            case .v2Message: "v2"
            case .key: "key"
            case .whitelist: "whitelist"
            case .minConsistency: "gate.min_consistency"
            case .confidence: "gate.confidence"
            case .minSamples: "gate.min_samples"
            case .window: "gate.window"
            case .openSeconds: "breaker.open_seconds"
            case .halfOpenProbes: "breaker.half_open_probes"
            case .sampleRate: "sample_rate"
            case .writeMode: "write mode"
            case .compareIgnore: "compare.ignore"
            case .compareUnordered: "compare.unordered"
            case .redact: "redact"
            case .other(let key, _): key
            }
        }

        /// The setting's value as text (`0.9999`, `1000 comparisons`, `300.0 s`, `a, b.c`, `(from traffic)`).
        public var value: String {
            switch self {
            case .v1Message(let name), .v2Message(let name): name
            case .key(let path): path ?? Self.keyFromTraffic
            case .whitelist(let names), .compareIgnore(let names), .compareUnordered(let names), .redact(let names):
                names.joined(separator: Self.listSeparator)
            case .minConsistency(let number), .confidence(let number), .openSeconds(let number),
                .sampleRate(let number):
                String(number)
            case .minSamples(let count), .halfOpenProbes(let count): String(count)
            case .window(.count(let count)): "\(count)\(Self.countWindowSuffix)"
            case .window(.seconds(let seconds)): "\(seconds)\(Self.secondsWindowSuffix)"
            case .writeMode(let mode): mode.rawValue
            case .other(_, let value): value
            }
        }

        /// The setting `key` names, read from its ``value`` spelling: `.other` for a key Tandem does not know, nil
        /// for a known key whose value does not read as that setting.
        public init?(key: String, value: String) {
            func list() -> [String] { value.isEmpty ? [] : value.components(separatedBy: Self.listSeparator) }
            switch key {
            case "v1": self = .v1Message(value)
            case "v2": self = .v2Message(value)
            case "key": self = .key(value == Self.keyFromTraffic ? nil : value)
            case "whitelist": self = .whitelist(list())
            case "compare.ignore": self = .compareIgnore(list())
            case "compare.unordered": self = .compareUnordered(list())
            case "redact": self = .redact(list())
            case "gate.min_consistency", "gate.confidence", "breaker.open_seconds", "sample_rate":
                guard let number = Double(value) else { return nil }
                switch key {
                case "gate.min_consistency": self = .minConsistency(number)
                case "gate.confidence": self = .confidence(number)
                case "breaker.open_seconds": self = .openSeconds(number)
                default: self = .sampleRate(number)
                }
            case "gate.min_samples", "breaker.half_open_probes":
                guard let count = Int(value) else { return nil }
                self = key == "gate.min_samples" ? .minSamples(count) : .halfOpenProbes(count)
            case "gate.window":
                if value.hasSuffix(Self.countWindowSuffix),
                    let count = Int(value.dropLast(Self.countWindowSuffix.count))
                {
                    self = .window(.count(count))
                } else if value.hasSuffix(Self.secondsWindowSuffix),
                    let seconds = Double(value.dropLast(Self.secondsWindowSuffix.count))
                {
                    self = .window(.seconds(seconds))
                } else {
                    return nil
                }
            case "write mode":
                guard let mode = DualWriteMode(rawValue: value) else { return nil }
                self = .writeMode(mode)
            default: self = .other(key: key, value: value)
            }
        }

        private static let keyFromTraffic = "(from traffic)"
        private static let listSeparator = ", "
        private static let countWindowSuffix = " comparisons"
        private static let secondsWindowSuffix = " s"
    }
}
