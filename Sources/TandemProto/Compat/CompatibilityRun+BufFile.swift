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
        if a.features.jsonFormat == .allow && b.features.jsonFormat == .legacyBestEffort {
            report(
                .messageSameJSONFormat, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
                "\(b.relativeName)'s JSON format support fell from ALLOW to LEGACY_BEST_EFFORT")
        }
        if !a.proto.options.noStandardDescriptorAccessor && b.proto.options.noStandardDescriptorAccessor {
            report(
                .messageNoRemoveStandardDescriptorAccessor,
                v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, detail: [7, 2], element: b.fullName),
                "\(b.relativeName) turned no_standard_descriptor_accessor on: generated code loses descriptor()")
        }
    }

    /// Compares an enum's JSON format support and openness (resolved features: proto3 enums are open, proto2
    /// enums closed, editions say).
    mutating func compareEnumsAsBufFile(_ a: CompatibilityPool.Enum, _ b: CompatibilityPool.Enum) {
        guard followsBuf else { return }
        if a.features.jsonFormat == .allow && b.features.jsonFormat == .legacyBestEffort {
            report(
                .enumSameJSONFormat, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
                v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
                "\(b.relativeName)'s JSON format support fell from ALLOW to LEGACY_BEST_EFFORT")
        }
        guard a.features.enumType != b.features.enumType else { return }
        func kind(_ features: ResolvedFeatures) -> String { features.enumType == .closed ? "closed" : "open" }
        report(
            .enumSameType, v1: v1.locate(file: a.file, path: a.path, element: a.fullName),
            v2: v2.locate(file: b.file, path: b.path, element: b.fullName),
            "enum \(b.relativeName) changed from \(kind(a.features)) to \(kind(b.features))")
    }

    /// Compares two fields' C++ string type, jstype and UTF-8 validation (generated code and its checks).
    mutating func compareFieldOptionsAsBufFile(_ a: FieldSide, _ b: FieldSide) {
        let number = a.field.number
        let stringOrBytes: Set<FieldType> = [.string, .bytes]
        // buf leaves a map entry's key and value out of the C++ string type (not out of the UTF-8 checks).
        if stringOrBytes.contains(a.type) && stringOrBytes.contains(b.type) && !a.message.proto.options.mapEntry
            && Self.cppStringType(a) != Self.cppStringType(b)
        {
            report(
                .fieldSameCppStringType, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) changed C++ string type from \(Self.cppStringType(a)) to "
                    + Self.cppStringType(b))
        }
        if a.field.options.jstype != b.field.options.jstype {
            report(
                .fieldSameJSType, v1: a.locate(), v2: b.locate(),
                "field \(number) (\(a.field.name)) changed jstype from "
                    + "\(FileOptionRule.protoName(a.field.options.jstype)) to \(FileOptionRule.protoName(b.field.options.jstype))"
            )
        }
        guard a.type == .string, b.type == .string else { return }
        let aChecks = a.features.validatesUTF8
        let bChecks = b.features.validatesUTF8
        if aChecks != bChecks {
            report(
                .fieldSameUTF8Validation, v1: a.locate(), v2: b.locate(),
                "string field \(number) (\(a.field.name)) is \(aChecks ? "" : "not ")validated as UTF-8 in "
                    + "v1 and is\(bChecks ? "" : " not") in v2")
        }
        // Java checks a string's UTF-8 when the field's does, or `java_string_check_utf8` or `(pb.java).utf8_validation
        // = VERIFY` asks it to.
        let aJava = aChecks || a.features.javaUTF8Validation == 2 || javaChecksUTF8(a.message.file, in: v1)
        let bJava = bChecks || b.features.javaUTF8Validation == 2 || javaChecksUTF8(b.message.file, in: v2)
        if aJava != bJava {
            report(
                .fieldSameJavaUTF8Validation, v1: a.locate(), v2: b.locate(),
                "string field \(number) (\(a.field.name)): generated Java checks its UTF-8 in \(aJava ? "v1" : "v2") only"
            )
        }
    }

    /// The C++ string type buf compares: the `ctype` option where set (STRING, CORD, STRING_PIECE), else an
    /// editions field's resolved `(pb.cpp).string_type` (VIEW, CORD, STRING), else STRING.
    static func cppStringType(_ side: FieldSide) -> String {
        if side.field.options.hasCtype { return FileOptionRule.protoName(side.field.options.ctype) }
        switch side.features.cppStringType {
        case 1: return "VIEW"
        case 2: return "CORD"
        default: return "STRING"
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
