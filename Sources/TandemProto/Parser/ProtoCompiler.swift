import SwiftProtobuf

/// Compiles `.proto` files into linked `FileDescriptorProto`s equal to protoc's `--descriptor_set_out` (source
/// info aside): parses each file, loads its imports from the import roots (or the built-in well-known types),
/// resolves type names with protobuf's scoping rules and checks the definitions.
public struct ProtoCompiler: Sendable {
    /// Settings of a compilation.
    public struct Configuration: Sendable {
        /// Import roots, searched in order (protoc's `--proto_path`).
        public var importPaths: [String]
        /// Whether ``CompiledFiles/sourceLocations`` records where each element is (what compatibility findings
        /// point at). Without them a compilation holds about half the memory at its peak; errors still name the file,
        /// line and column (a file whose linking fails is parsed again, with its locations, to say where).
        public var recordsSourceLocations: Bool

        /// Creates a configuration; by default the current directory is the only import root.
        public init(importPaths: [String] = ["."], recordsSourceLocations: Bool = true) {
            self.importPaths = importPaths
            self.recordsSourceLocations = recordsSourceLocations
        }
    }

    /// The settings.
    public let configuration: Configuration

    /// Creates a compiler.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Creates a compiler with the given import roots.
    public init(importPaths: [String]) {
        self.configuration = Configuration(importPaths: importPaths)
    }

    /// Compiles the files at the given import paths (names relative to an import root, like `acme/user.proto`).
    ///
    /// - Throws: ``ProtoError`` naming the file, line and column of the first problem.
    public func compile(_ importPaths: [String]) throws(ProtoError) -> CompiledFiles {
        var loader = Loader(
            tree: SourceTree(roots: configuration.importPaths), recordsLocations: configuration.recordsSourceLocations)
        for path in importPaths {
            try loader.load(path, importedFrom: nil)
        }
        var compiled = CompiledFiles(files: loader.order.compactMap { loader.linked[$0] }, requested: importPaths)
        compiled.sourceLocations = loader.locations
        return compiled
    }

    /// Compiles files given by their paths on disk, each named relative to the import root that holds it, as protoc
    /// names files given on its command line; a path no root holds by prefix is read as an import path, as protoc
    /// does (a relative file inside an absolute root).
    public func compile(diskPaths: [String]) throws(ProtoError) -> CompiledFiles {
        let tree = SourceTree(roots: configuration.importPaths)
        var names: [String] = []
        for diskPath in diskPaths {
            guard let name = tree.virtualPath(forDiskPath: diskPath) ?? tree.importPathIfFound(diskPath) else {
                throw ProtoError(
                    .importNotFound, at: SourceLocation(file: diskPath, line: 0, column: 0),
                    "\(diskPath): File does not reside within any path specified using -I (--proto_path).")
            }
            names.append(name)
        }
        return try compile(names)
    }

    /// Compiles `.proto` source text held in memory, named `fileName`, with imports resolved as usual.
    public func compile(source: String, fileName: String) throws(ProtoError) -> CompiledFiles {
        var loader = Loader(
            tree: SourceTree(roots: configuration.importPaths), recordsLocations: configuration.recordsSourceLocations)
        try loader.load(fileName, importedFrom: nil, text: Array(source.utf8))
        var compiled = CompiledFiles(files: loader.order.compactMap { loader.linked[$0] }, requested: [fileName])
        compiled.sourceLocations = loader.locations
        return compiled
    }
}

/// Loads files depth-first (dependencies first), detecting cycles, and links each one once.
private struct Loader {
    let tree: SourceTree
    var linked: [String: Google_Protobuf_FileDescriptorProto] = [:]
    var order: [String] = []
    var stack: [String] = []
    var symbols = SymbolTable()
    /// Where each element of each loaded file is (see ``SourceLocations``).
    var locations = SourceLocations()
    /// Whether ``locations`` are recorded (see ``ProtoCompiler/Configuration/recordsSourceLocations``).
    let recordsLocations: Bool

    init(tree: SourceTree, recordsLocations: Bool) {
        self.tree = tree
        self.recordsLocations = recordsLocations
    }

    mutating func load(_ path: String, importedFrom: (SourceLocation, String)?, text: [UInt8]? = nil) throws(ProtoError)
    {
        if linked[path] != nil { return }
        if let cycleStart = stack.firstIndex(of: path) {
            let chain = (stack[cycleStart...] + [path]).joined(separator: " -> ")
            throw ProtoError(
                .importCycle, at: importedFrom?.0 ?? SourceLocation(file: path, line: 0, column: 0),
                "File recursively imports itself: \(chain)")
        }
        let bytes: [UInt8]
        if let text {
            bytes = text
        } else {
            guard let found = try tree.open(path) else {
                if let (location, importer) = importedFrom {
                    throw ProtoError(
                        .importNotFound, at: location,
                        "Import \"\(path)\" was not found or had errors (imported by \(importer)).")
                }
                throw ProtoError(
                    .importNotFound, at: SourceLocation(file: path, line: 0, column: 0),
                    "\(path): File not found.")
            }
            bytes = found.bytes
        }
        stack.append(path)
        let parsed: ParsedFile
        do {
            parsed = try ProtoParser.parse(bytes, fileName: path, recordsLocations: recordsLocations)
        } catch {
            // Without locations a few errors point at a coarser place: parse again with them to say exactly where.
            guard !recordsLocations else { throw error }
            _ = try ProtoParser.parse(bytes, fileName: path, recordsLocations: true)
            throw error
        }
        var seenImports: Set<String> = []
        for (i, dependency) in parsed.proto.dependency.enumerated() {
            let location = i < parsed.importLocations.count ? parsed.importLocations[i] : parsed.fileLocation
            if !seenImports.insert(dependency).inserted {
                throw ProtoError(.duplicateName, at: location, "Import \"\(dependency)\" was listed twice.")
            }
            try load(dependency, importedFrom: (location, path))
        }
        for (i, dependency) in parsed.proto.optionDependency.enumerated() {
            let location =
                i < parsed.optionImportLocations.count ? parsed.optionImportLocations[i] : parsed.fileLocation
            try load(dependency, importedFrom: (location, path))
        }
        stack.removeLast()
        var linker = Linker(parsed: parsed, dependencies: linked, symbols: symbols)
        let result: Google_Protobuf_FileDescriptorProto
        do {
            result = try linker.link()
        } catch {
            guard !recordsLocations else { throw error }
            // Parsed without locations: parse again with them, and link again from the same state, so that the error
            // says where (errors are the rare path; the locations are not kept).
            let reparsed = try ProtoParser.parse(bytes, fileName: path, recordsLocations: true)
            var located = Linker(parsed: reparsed, dependencies: linked, symbols: symbols)
            _ = try located.link()
            throw error
        }
        symbols = linker.symbols
        linked[path] = result
        if recordsLocations {
            locations.add(file: path, locations: parsed.locations, fileLocation: parsed.fileLocation)
        }
        order.append(path)
    }
}

/// The result of a compilation: linked files in dependency order.
public struct CompiledFiles: Sendable {
    /// Every file loaded, dependencies before dependents (protoc's `--include_imports` order).
    public let files: [Google_Protobuf_FileDescriptorProto]
    /// The import paths of the files asked for, in the order given.
    public let requested: [String]
    /// Where the elements of every loaded file are, by file name and descriptor path (empty for files that did
    /// not come from `.proto` text).
    public internal(set) var sourceLocations = SourceLocations()

    /// The files asked for, in the order given.
    public var requestedFiles: [Google_Protobuf_FileDescriptorProto] {
        requested.compactMap { name in files.first { $0.name == name } }
    }

    /// A `FileDescriptorSet` as protoc's `--descriptor_set_out` writes it (with `--include_imports` when asked).
    public func descriptorSet(includeImports: Bool) -> Google_Protobuf_FileDescriptorSet {
        // protoc lists files depth-first from the requested files in command-line order, each after its imports;
        // without --include_imports it keeps that order but lists only the requested files.
        var set = Google_Protobuf_FileDescriptorSet()
        var emitted: Set<String> = []
        let wanted = Set(requested)
        let byName = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func visit(_ name: String) {
            guard !emitted.contains(name), let file = byName[name] else { return }
            emitted.insert(name)
            for dependency in file.dependency { visit(dependency) }
            for dependency in file.optionDependency { visit(dependency) }
            if includeImports || wanted.contains(name) { set.file.append(file) }
        }
        for name in requested { visit(name) }
        return set
    }

    /// The resolved schema of every loaded file.
    public func schema() throws(SchemaError) -> Schema {
        try Schema(files: files)
    }
}
