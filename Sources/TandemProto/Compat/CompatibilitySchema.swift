import SwiftProtobuf

/// One side (v1 or v2) of a compatibility check: a pool of linked files, which of them were asked for, and where
/// their elements are.
public struct CompatibilitySchema: Sendable {
    /// Every file of the pool (imports included), as protoc writes them.
    public var files: [Google_Protobuf_FileDescriptorProto]
    /// The names of the files asked for; with ``CompatibilityRoots/allTopLevel`` their top-level messages are the
    /// roots.
    public var requested: [String]
    /// Source locations by file and descriptor path (empty for a descriptor set).
    public var locations: SourceLocations

    /// Creates a side from linked files.
    public init(
        files: [Google_Protobuf_FileDescriptorProto], requested: [String], locations: SourceLocations = .init()
    ) {
        self.files = files
        self.requested = requested
        self.locations = locations
    }

    /// A side from a compilation, with its source locations.
    public init(_ compiled: CompiledFiles) {
        self.init(files: compiled.files, requested: compiled.requested, locations: compiled.sourceLocations)
    }
}
