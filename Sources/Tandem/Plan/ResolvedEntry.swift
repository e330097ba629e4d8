import TandemProto

/// A whitelist entry resolved against both schemas at load, so projection never looks names up per record.
struct ResolvedEntry: Sendable {
    /// Position in the plan's whitelist.
    let index: Int
    /// The v1 field.
    let v1Field: FieldDescriptor
    /// The v2 fields along the source path, outermost first; the last one is the source.
    let sourcePath: [FieldDescriptor]
    /// The convert, if any.
    let convert: FieldConvert?

    var source: FieldDescriptor { sourcePath[sourcePath.count - 1] }
}
