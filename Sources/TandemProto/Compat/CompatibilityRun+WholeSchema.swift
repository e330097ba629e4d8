import SwiftProtobuf

extension CompatibilityRun {
    /// Pairs the requested files by name (two single files with each other, whatever their names), reports deleted
    /// files and changed packages, then pairs every message, enum and service by full name (translated into the v2
    /// package where the file's package changed) and compares each pair; a v1 type or service without a partner is
    /// reported as deleted.
    mutating func startWholeSchema() {
        let v1Files = v1.schema.requested
        let v2Files = v2.schema.requested
        var pairs: [(String, String)] = []
        // The types, enums and services of a deleted file are reported with it (FILE_NO_DELETE), not one by one;
        // those that moved to another file are still found by name and compared.
        var deletedFiles: Set<String> = []
        if v1Files.count == 1 && v2Files.count == 1 {
            pairs = [(v1Files[0], v2Files[0])]
        } else {
            let v2Set = Set(v2Files)
            for file in v1Files {
                if v2Set.contains(file) {
                    pairs.append((file, file))
                } else {
                    deletedFiles.insert(file)
                    report(
                        .fileNoDelete, v1: v1.locate(file: file, path: [], element: file), v2: nil,
                        "file \(file) is not among the v2 files: code that imports it stops compiling (the types it "
                            + "declared are looked for by name in the other files)")
                }
            }
        }
        for (a, b) in pairs {
            compareFilesAsBuf(a, b)
            guard let aPackage = v1.packages[a], let bPackage = v2.packages[b], aPackage != bPackage else { continue }
            // buf pairs types by full name only: across a renamed package nothing pairs.
            if packageMap[aPackage] == nil && !followsBuf { packageMap[aPackage] = bPackage }
            report(
                .fileSamePackage, v1: v1.locate(file: a, path: [2], element: a),
                v2: v2.locate(file: b, path: [2], element: b),
                "file \(b) moved from package \(aPackage.isEmpty ? "(none)" : aPackage) to "
                    + "\(bPackage.isEmpty ? "(none)" : bPackage): gRPC method paths and Any type URLs change; "
                    + (followsBuf
                        ? "types pair by full name, so none of its types is compared across the rename (as in buf)"
                        : "its types are compared by their names within the package"))
        }
        // buf's FILE category: a type its paired file no longer declares (by its name within the package) is
        // deleted from it, wherever it went; it is still compared by full name.
        let pairedFile = Dictionary(pairs, uniquingKeysWith: { x, _ in x })
        var declared: Set<String> = []
        if policy == .bufFile {
            for message in v2.requestedMessages { declared.insert(message.file + "#" + message.relativeName) }
            for enumType in v2.requestedEnums { declared.insert(enumType.file + "#" + enumType.relativeName) }
            for service in v2.requestedServices { declared.insert(service.file + "#" + service.proto.name) }
        }
        let isBufFile = policy == .bufFile
        let deleted = deletedFiles
        func leftItsFile(_ file: String, _ relativeName: String) -> Bool {
            guard isBufFile, !deleted.contains(file), let other = pairedFile[file] else { return false }
            return !declared.contains(other + "#" + relativeName)
        }
        for message in v1.requestedMessages {
            // A map's entry message goes with its field; buf counts it as a message of its own.
            let reportable = (!message.proto.options.mapEntry || followsBuf) && !deletedFiles.contains(message.file)
            if let other = partner(
                of: message, in: v2.messages, rule: .messageNoDelete, noun: "message",
                consequence: "code and services that use it stop compiling", reportable: reportable,
                leftItsFile: leftItsFile)
            {
                enqueue(message, other)
            }
        }
        for enumType in v1.requestedEnums {
            if let other = partner(
                of: enumType, in: v2.enums, rule: .enumNoDelete, noun: "enum",
                consequence: "code that uses it stops compiling", reportable: !deletedFiles.contains(enumType.file),
                leftItsFile: leftItsFile)
            {
                enqueue(enumType, other)
            }
        }
        compareExtensions()
        let v2Services = Dictionary(v2.requestedServices.map { ($0.fullName, $0) }, uniquingKeysWith: { a, _ in a })
        for service in v1.requestedServices {
            if policy == .bufFile && leftItsFile(service.file, service.proto.name) {
                report(
                    .serviceNoDelete,
                    v1: v1.locate(file: service.file, path: service.path, element: service.fullName), v2: nil,
                    "service \(service.fullName) is gone from \(service.file)")
            }
            guard let other = v2Services[translate(service.fullName, file: service.file)] else {
                if deletedFiles.contains(service.file) || policy == .bufFile { continue }
                report(
                    .serviceNoDelete,
                    v1: v1.locate(file: service.file, path: service.path, element: service.fullName), v2: nil,
                    "service \(service.fullName) is gone in v2: its clients get UNIMPLEMENTED")
                continue
            }
            compareServices(service, other)
        }
    }

    /// The v2 partner of a v1 message or enum (by full name, translated where its file's package was renamed),
    /// reporting it under `rule` when it is gone: from v2 altogether when `reportable`, or, under `buf_file`, from
    /// the file paired with its own (`leftItsFile`), wherever it went.
    private mutating func partner<Declaration: PooledDeclaration>(
        of declaration: Declaration, in v2Declarations: [String: Declaration], rule: CompatibilityRule, noun: String,
        consequence: String, reportable: Bool, leftItsFile: (String, String) -> Bool
    ) -> Declaration? {
        let other = v2Declarations[translate(declaration.fullName, file: declaration.file)]
        let location = v1.locate(file: declaration.file, path: declaration.path, element: declaration.fullName)
        if policy == .bufFile {
            if leftItsFile(declaration.file, declaration.relativeName) {
                report(
                    rule, v1: location, v2: nil, "\(noun) \(declaration.relativeName) is gone from \(declaration.file)")
            }
        } else if other == nil && reportable {
            report(rule, v1: location, v2: nil, "\(noun) \(declaration.relativeName) is gone in v2: \(consequence)")
        }
        return other
    }

    /// Compares the extension fields of both sides that extend the same message with the same number, as fields
    /// (type and cardinality), as buf does; a deleted extension field is no finding of buf's categories.
    private mutating func compareExtensions() {
        var v2ByKey: [String: CompatibilityPool.Extension] = [:]
        for ext in v2.requestedExtensions { v2ByKey["\(ext.extendee)#\(ext.field.number)"] = ext }
        for ext in v1.requestedExtensions {
            let extendee = v1.messages[ext.extendee].map { translate($0.fullName, file: $0.file) } ?? ext.extendee
            guard let other = v2ByKey["\(extendee)#\(ext.field.number)"] else { continue }
            let a = FieldSide(message: ext.scope, field: ext.field, path: ext.path, pool: v1)
            let b = FieldSide(message: other.scope, field: other.field, path: other.path, pool: v2)
            if followsBuf {
                compareTypesAsBuf(a, b)
                compareCardinalityAsBuf(a, b)
            } else {
                compareTypes(a, b)
                compareCardinality(a, b)
            }
        }
    }

    /// Whether a v1 type and a v2 type are the same declaration: by full name (translated into the v2 package) in
    /// whole-schema checks, by the name relative to the package otherwise.
    func isSameType(
        _ v1FullName: String, _ v1Relative: String, _ v1File: String, _ v2FullName: String, _ v2Relative: String
    )
        -> Bool
    {
        wholeSchema ? translate(v1FullName, file: v1File) == v2FullName : v1Relative == v2Relative
    }

    /// A v1 full name in v2's terms: its package replaced by the v2 package of its file's pair when that changed.
    func translate(_ fullName: String, file: String) -> String {
        guard let package = v1.packages[file], let renamed = packageMap[package] else { return fullName }
        let relative = package.isEmpty ? fullName : String(fullName.dropFirst(package.count + 1))
        return renamed.isEmpty ? relative : renamed + "." + relative
    }

    /// Compares two services method by method (by name).
    private mutating func compareServices(_ a: CompatibilityPool.Service, _ b: CompatibilityPool.Service) {
        let v2Methods = Dictionary(
            b.proto.method.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { x, _ in x })
        for (i, method) in a.proto.method.enumerated() {
            let name = a.fullName + "." + method.name
            let aPath = a.path + [2, Int32(i)]
            guard let j = v2Methods[method.name] else {
                report(
                    .rpcNoDelete, v1: v1.locate(file: a.file, path: aPath, element: name), v2: nil,
                    "method \(method.name) of \(a.fullName) is gone in v2: calls to it get UNIMPLEMENTED")
                continue
            }
            let other = b.proto.method[j]
            let bPath = b.path + [2, Int32(j)]
            let bName = b.fullName + "." + other.name
            func sides(_ detail: Int32) -> (FindingLocation, FindingLocation) {
                (
                    v1.locate(file: a.file, path: aPath, detail: [detail], element: name),
                    v2.locate(file: b.file, path: bPath, detail: [detail], element: bName)
                )
            }
            if !sameMethodType(method.inputType, other.inputType) {
                let (x, y) = sides(2)
                report(
                    .rpcSameRequestType, v1: x, v2: y,
                    "method \(method.name) of \(a.fullName) changed its request type from "
                        + "\(CompatibilityPool.trimmed(method.inputType)) to \(CompatibilityPool.trimmed(other.inputType)): callers send what "
                        + "the server reads as another message")
            }
            if !sameMethodType(method.outputType, other.outputType) {
                let (x, y) = sides(3)
                report(
                    .rpcSameResponseType, v1: x, v2: y,
                    "method \(method.name) of \(a.fullName) changed its response type from "
                        + "\(CompatibilityPool.trimmed(method.outputType)) to \(CompatibilityPool.trimmed(other.outputType)): callers read the "
                        + "answer as another message")
            }
            if method.clientStreaming != other.clientStreaming {
                let (x, y) = sides(5)
                report(
                    .rpcSameClientStreaming, v1: x, v2: y,
                    "method \(method.name) of \(a.fullName) changed from client "
                        + "\(method.clientStreaming ? "streaming" : "unary") to client "
                        + "\(other.clientStreaming ? "streaming" : "unary"): existing callers fail")
            }
            if method.serverStreaming != other.serverStreaming {
                let (x, y) = sides(6)
                report(
                    .rpcSameServerStreaming, v1: x, v2: y,
                    "method \(method.name) of \(a.fullName) changed from server "
                        + "\(method.serverStreaming ? "streaming" : "unary") to server "
                        + "\(other.serverStreaming ? "streaming" : "unary"): existing callers fail")
            }
            if method.options.idempotencyLevel != other.options.idempotencyLevel {
                let (x, y) = sides(4)
                report(
                    .rpcSameIdempotencyLevel, v1: x, v2: y,
                    "method \(method.name) of \(a.fullName) changed its idempotency level from "
                        + "\(method.options.idempotencyLevel) to \(other.options.idempotencyLevel): clients and "
                        + "proxies retry or cache its calls differently")
            }
        }
    }

    /// Whether a v1 method's input or output type names the v2 one's (translated into the v2 package).
    private func sameMethodType(_ v1Type: String, _ v2Type: String) -> Bool {
        guard let message = v1.message(typeName: v1Type) else {
            return CompatibilityPool.trimmed(v1Type) == CompatibilityPool.trimmed(v2Type)
        }
        return translate(message.fullName, file: message.file) == CompatibilityPool.trimmed(v2Type)
    }
}
