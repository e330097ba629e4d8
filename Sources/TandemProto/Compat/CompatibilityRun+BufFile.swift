import SwiftProtobuf

/// The rules of buf's `FILE` category about generated code (file syntax and options, C++/Java/JS field options,
/// extension ranges, descriptor accessors, open and closed enums): reported under `buf_file` only.
extension CompatibilityRun {
    /// Compares two paired files' syntax and code-generation options.
    mutating func compareFilesAsBuf(_ a: String, _ b: String) {
        guard followsBuf,
            let aFile = v1.schema.files.first(where: { $0.name == a }),
            let bFile = v2.schema.files.first(where: { $0.name == b })
        else { return }
        let aSyntax = aFile.syntax.isEmpty ? "proto2" : aFile.syntax
        let bSyntax = bFile.syntax.isEmpty ? "proto2" : bFile.syntax
        if aSyntax != bSyntax {
            report(
                .fileSameSyntax, v1: v1.locate(file: a, path: [12], element: a),
                v2: v2.locate(file: b, path: [12], element: b), "file \(b) changed from \(aSyntax) to \(bSyntax)")
        }
        for (option, rule) in zip(FileOptionRule.all, CompatibilityRule.fileSameOption) {
            let old = option.value(aFile.options)
            let new = option.value(bFile.options)
            guard old != new else { continue }
            report(
                rule, v1: v1.locate(file: a, path: [8], detail: [option.number], element: a),
                v2: v2.locate(file: b, path: [8], detail: [option.number], element: b),
                "file option \(option.option) of \(b) changed from \"\(old)\" to \"\(new)\"")
        }
    }

    /// Compares two messages' extension ranges and descriptor accessor option.
    mutating func compareMessagesAsBufFile(_ a: CompatibilityPool.Message, _ b: CompatibilityPool.Message) {
        let v2Ranges = b.proto.extensionRange.map { (Int64($0.start), Int64($0.end)) }.sorted { $0.0 < $1.0 }
        for (i, range) in a.proto.extensionRange.enumerated()
        where !Self.covers(v2Ranges, Int64(range.start), Int64(range.end)) {
            report(
                .extensionMessageNoDelete,
                v1: v1.locate(file: a.file, path: a.path + [5, Int32(i)], element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
                "extension range \(range.start) to \(range.end - 1) of \(a.relativeName) is no longer one in v2")
        }
        if a.isProto3 && !b.isProto3 {
            report(
                .messageSameJSONFormat, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
                "\(b.relativeName)'s JSON format support fell from ALLOW (proto3) to LEGACY_BEST_EFFORT (proto2)")
        }
        if !a.proto.options.noStandardDescriptorAccessor && b.proto.options.noStandardDescriptorAccessor {
            report(
                .messageNoRemoveStandardDescriptorAccessor,
                v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, detail: [7, 2], element: b.fullName),
                "\(b.relativeName) turned no_standard_descriptor_accessor on: generated code loses descriptor()")
        }
    }

    /// Compares an enum's openness (proto3 enums are open, proto2 enums closed).
    mutating func compareEnumsAsBufFile(_ a: CompatibilityPool.Enum, _ b: CompatibilityPool.Enum) {
        guard followsBuf, a.isProto3 != b.isProto3 else { return }
        if a.isProto3 {
            report(
                .enumSameJSONFormat, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
                "\(b.relativeName)'s JSON format support fell from ALLOW (proto3) to LEGACY_BEST_EFFORT (proto2)")
        }
        func kind(_ open: Bool) -> String { open ? "open" : "closed" }
        report(
            .enumSameType, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
            v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
            "enum \(b.relativeName) changed from \(kind(a.isProto3)) to \(kind(b.isProto3))")
    }

    /// Compares two fields' C++ string type, jstype and UTF-8 validation (generated code and its checks).
    mutating func compareFieldOptionsAsBufFile(_ a: FieldSide, _ b: FieldSide) {
        let number = a.field.number
        let stringOrBytes: Set<FieldType> = [.string, .bytes]
        if stringOrBytes.contains(a.type) && stringOrBytes.contains(b.type)
            && a.field.options.ctype != b.field.options.ctype
        {
            report(
                .fieldSameCppStringType, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) changed ctype from "
                    + "\(FileOptionRule.protoName(a.field.options.ctype)) to \(FileOptionRule.protoName(b.field.options.ctype))"
            )
        }
        if a.field.options.jstype != b.field.options.jstype {
            report(
                .fieldSameJSType, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) changed jstype from "
                    + "\(FileOptionRule.protoName(a.field.options.jstype)) to \(FileOptionRule.protoName(b.field.options.jstype))"
            )
        }
        guard a.type == .string, b.type == .string else { return }
        if a.message.isProto3 != b.message.isProto3 {
            report(
                .fieldSameUTF8Validation, v1: a.locate(), v2: b.locate(),
                "string field \(number) (\(a.field.name)) is \(a.message.isProto3 ? "" : "not ")validated as UTF-8 in "
                    + "v1 and is\(b.message.isProto3 ? "" : " not") in v2")
        }
        let aJava = a.message.isProto3 || javaChecksUTF8(a.message.file, in: v1)
        let bJava = b.message.isProto3 || javaChecksUTF8(b.message.file, in: v2)
        if aJava != bJava {
            report(
                .fieldSameJavaUTF8Validation, v1: a.locate(), v2: b.locate(),
                "string field \(number) (\(a.field.name)): generated Java checks its UTF-8 in \(aJava ? "v1" : "v2") only"
            )
        }
    }

    private func javaChecksUTF8(_ file: String, in pool: CompatibilityPool) -> Bool {
        pool.schema.files.first { $0.name == file }?.options.javaStringCheckUtf8 ?? false
    }

    /// Whether the sorted half-open `ranges` cover every number of `[start, end)`.
    static func covers(_ ranges: [(Int64, Int64)], _ start: Int64, _ end: Int64) -> Bool {
        var next = start
        for (lower, upper) in ranges where upper > next {
            guard lower <= next else { return false }
            next = upper
            if next >= end { return true }
        }
        return next >= end
    }
}
