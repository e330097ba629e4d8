/// Every name defined by the files loaded so far, with its kind and the file that defines it.
struct SymbolTable: Sendable {
    enum Kind: Sendable, Equatable {
        case package, message, `enum`, enumValue, field, oneof, service, method, `extension`

        /// Symbols that can contain other symbols (protoc's `IsAggregate`).
        var isAggregate: Bool { self == .package || self == .message || self == .enum || self == .service }
        /// Symbols that name a type.
        var isType: Bool { self == .message || self == .enum }

        var noun: String {
            switch self {
            case .package: return "package"
            case .message: return "message"
            case .enum: return "enum"
            case .enumValue: return "enum value"
            case .field: return "field"
            case .oneof: return "oneof"
            case .service: return "service"
            case .method: return "method"
            case .extension: return "extension"
            }
        }
    }

    struct Symbol: Sendable {
        var kind: Kind
        var file: String
        /// Packages may be declared by many files; any of them makes the package visible.
        var packageFiles: Set<String> = []
    }

    private(set) var symbols: [String: Symbol] = [:]

    subscript(name: String) -> Symbol? { symbols[name] }

    /// Adds a symbol; returns the existing symbol when the name is already taken by something else.
    mutating func add(_ name: String, kind: Kind, file: String) -> Symbol? {
        if var existing = symbols[name] {
            if existing.kind == .package && kind == .package {
                existing.packageFiles.insert(file)
                symbols[name] = existing
                return nil
            }
            return existing
        }
        symbols[name] = Symbol(kind: kind, file: file, packageFiles: kind == .package ? [file] : [])
        return nil
    }
}
