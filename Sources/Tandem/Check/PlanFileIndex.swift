import Yams

/// What `tandem check` needs from `tandem.yaml` beyond the loaded plan: the import roots and schema files of each
/// side (to compile them again with source locations) and the line of each whitelist entry (for messages).
///
/// The plan has already loaded when this runs, so the YAML is known to be well formed; anything unexpected just
/// leaves a value out.
struct PlanFileIndex {
    /// `proto_path` entries as written.
    var protoPath: [String] = []
    /// The `.proto` files of v1 and v2 (empty for a side given as a descriptor set).
    var protoFiles: [String: [String]] = [:]
    /// The 1-based line of each whitelist entry.
    var whitelistLines: [Int] = []

    init(yaml text: String) {
        guard let root = try? Yams.compose(yaml: text), case .mapping(let top) = root else { return }
        for (keyNode, value) in top {
            switch keyNode.scalar?.string {
            case "proto_path": protoPath = Self.strings(value)
            case "v1", "v2":
                guard let side = keyNode.scalar?.string, case .mapping(let keys) = value else { continue }
                for (key, file) in keys where key.scalar?.string == "proto" { protoFiles[side] = Self.strings(file) }
            case "whitelist":
                guard case .sequence(let items) = value else { continue }
                whitelistLines = items.map { $0.mark?.line ?? 0 }
            default: continue
            }
        }
    }

    private static func strings(_ node: Node) -> [String] {
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let items): return items.compactMap { $0.scalar?.string }
        default: return []
        }
    }
}
