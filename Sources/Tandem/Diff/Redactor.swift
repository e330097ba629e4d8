import TandemProto

/// Replaces the values of redacted v1 paths with a salted hash (DESIGN 7, Redaction).
///
/// The salt is random per run, so hashes are stable within a run (equal values look equal) and useless across
/// runs. A redacted value renders as `redacted:<first 12 hex of SHA-256(salt + value)>`.
public struct Redactor: Sendable {
    /// The redacted v1 paths; sub-fields and elements of a redacted field are redacted too.
    public let paths: Set<String>
    /// Whether record keys are redacted too: the plan's key field (or the v1 field it feeds) is in `redact:`, so a
    /// key is the field's value and appears only as its token wherever Tandem writes it.
    public let redactsKeys: Bool
    private let salt: [UInt8]

    /// Creates a redactor of values only; without a salt, 16 random bytes are drawn.
    public init(paths: [FieldPath], salt: [UInt8]? = nil) {
        self.init(paths: paths, redactsKeys: false, salt: salt)
    }

    /// Creates a redactor that also redacts record keys when `redactsKeys`; without a salt, 16 random bytes are drawn.
    public init(paths: [FieldPath], redactsKeys: Bool, salt: [UInt8]? = nil) {
        self.paths = Set(paths.map(\.description))
        self.redactsKeys = redactsKeys
        if let salt {
            self.salt = salt
        } else {
            var generator = SystemRandomNumberGenerator()
            self.salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
    }

    /// Creates the redactor of a plan's `redact:` list.
    public init(plan: MigrationPlan, salt: [UInt8]? = nil) {
        let redacted = Set(plan.redact.map(\.description))
        let keyIsRedacted =
            plan.key.map { key in
                redacted.contains(key.description)
                    || plan.whitelist.contains { $0.sourcePath == key && redacted.contains($0.field) }
            } ?? false
        self.init(paths: plan.redact, redactsKeys: keyIsRedacted, salt: salt)
    }

    /// `key` as reports, ledgers and logs show it: its token when keys are redacted (``redactsKeys``), else itself.
    public func key(_ key: String) -> String {
        redactsKeys ? token(for: .string(key)) : key
    }

    /// Whether the value at a diff path (`contacts[1].email`) is redacted.
    public func isRedacted(path: String) -> Bool {
        guard !paths.isEmpty else { return false }
        let schemaPath = DiffPath.schemaPath(path)
        if paths.contains(schemaPath) { return true }
        return paths.contains { schemaPath.hasPrefix($0 + ".") }
    }

    /// The stand-in for `value`: `redacted:` and the first 12 hex digits of SHA-256(salt + value).
    public func token(for value: ProtoValue) -> String {
        var hasher = SHA256()
        hasher.update(salt)
        hasher.update(Self.canonicalBytes(value))
        return "redacted:" + String(SHA256.hexString(hasher.finalize()).prefix(12))
    }

    /// The diff with its values replaced by tokens when its path is redacted.
    public func redact(_ diff: FieldDiff) -> FieldDiff {
        guard isRedacted(path: diff.path) else { return diff }
        var redacted = diff
        redacted.v1 = diff.v1.map(redact)
        redacted.v2 = diff.v2.map(redact)
        return redacted
    }

    private func redact(_ value: FieldDiff.Value) -> FieldDiff.Value {
        switch value {
        case .proto(let proto): return .redacted(token(for: proto))
        case .redacted: return value
        }
    }

    /// Bytes that are equal for values the diff engine calls equal across widths (`int32 5` and `int64 5`).
    private static func canonicalBytes(_ value: ProtoValue) -> [UInt8] {
        if let integer = IntegerValue.of(value) { return Array("i\(integer)".utf8) }
        switch value {
        case .string(let text): return [0x73] + Array(text.utf8)
        case .bytes(let bytes): return [0x73] + bytes
        case .float(let number): return Array("f\(Double(number))".utf8)
        case .double(let number): return Array("f\(number)".utf8)
        case .bool(let flag): return Array("b\(flag)".utf8)
        case .enumValue(let number): return Array("e\(number)".utf8)
        case .message(let message): return [0x6d] + message.serializedBytes()
        default: return []
        }
    }
}
