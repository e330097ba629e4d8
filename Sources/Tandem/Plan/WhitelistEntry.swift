/// One whitelisted v1 field and the v2 path that feeds it (a `whitelist:` entry).
public struct WhitelistEntry: Sendable, Hashable {
    /// The v1 field's name.
    public var field: String
    /// The v2 path that feeds it; `nil` means the v2 field of the same name.
    public var from: FieldPath?
    /// How the value is converted, if at all.
    public var convert: FieldConvert?

    /// Creates an entry; by default the v1 field is fed from the v2 field of the same name, unconverted.
    public init(field: String, from: FieldPath? = nil, convert: FieldConvert? = nil) {
        self.field = field
        self.from = from
        self.convert = convert
    }

    /// The v2 source path: ``from`` or the field's own name.
    public var sourcePath: FieldPath { from ?? FieldPath([field]) }
}
