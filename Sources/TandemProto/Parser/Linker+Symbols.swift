import Foundation
import SwiftProtobuf

extension Linker {
    // MARK: - Symbols

    mutating func define(_ name: String, kind: SymbolTable.Kind, at location: SourceLocation) throws(ProtoError) {
        if let existing = symbols.add(name, kind: kind, file: file.name) {
            let short = name.split(separator: ".").last.map(String.init) ?? name
            let scope = name.count > short.count ? String(name.dropLast(short.count + 1)) : ""
            if existing.kind == .package {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined (as a package) in file \"\(existing.packageFiles.sorted().first ?? existing.file)\"."
                )
            }
            if kind == .package {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined (as something other than a package) in file \"\(existing.file)\".")
            }
            if existing.file != file.name {
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(name)\" is already defined in file \"\(existing.file)\".")
            }
            throw ProtoError(
                .duplicateName, at: location,
                "\"\(short)\" is already defined in \"\(scope)\".")
        }
    }

    mutating func registerSymbols() throws(ProtoError) {
        if !file.package.isEmpty {
            var prefix = ""
            for part in file.package.split(separator: ".") {
                prefix = prefix.isEmpty ? String(part) : prefix + "." + part
                try define(prefix, kind: .package, at: loc([2]))
            }
        }
        let package = file.package
        for (i, message) in file.messageType.enumerated() {
            try registerMessage(message, scope: package, path: [4, Int32(i)])
        }
        for (i, enumProto) in file.enumType.enumerated() {
            try registerEnum(enumProto, scope: package, path: [5, Int32(i)])
        }
        for (i, ext) in file.extension.enumerated() {
            try define(qualify(package, ext.name), kind: .extension, at: loc([7, Int32(i), 1]))
        }
        for (i, service) in file.service.enumerated() {
            let name = qualify(package, service.name)
            try define(name, kind: .service, at: loc([6, Int32(i), 1]))
            for (j, method) in service.method.enumerated() {
                try define(name + "." + method.name, kind: .method, at: loc([6, Int32(i), 2, Int32(j), 1]))
            }
        }
    }

    mutating func registerMessage(_ message: Google_Protobuf_DescriptorProto, scope: String, path: [Int32])
        throws(ProtoError)
    {
        let name = qualify(scope, message.name)
        try define(name, kind: .message, at: loc(path + [1]))
        for (i, field) in message.field.enumerated() {
            try define(name + "." + field.name, kind: .field, at: loc(path + [2, Int32(i), 1]))
        }
        for (i, oneof) in message.oneofDecl.enumerated() {
            try define(name + "." + oneof.name, kind: .oneof, at: loc(path + [8, Int32(i), 1]))
        }
        for (i, nested) in message.nestedType.enumerated() {
            try registerMessage(nested, scope: name, path: path + [3, Int32(i)])
        }
        for (i, nestedEnum) in message.enumType.enumerated() {
            try registerEnum(nestedEnum, scope: name, path: path + [4, Int32(i)])
        }
        for (i, ext) in message.extension.enumerated() {
            try define(name + "." + ext.name, kind: .extension, at: loc(path + [6, Int32(i), 1]))
        }
    }

    mutating func registerEnum(_ enumProto: Google_Protobuf_EnumDescriptorProto, scope: String, path: [Int32])
        throws(ProtoError)
    {
        let name = qualify(scope, enumProto.name)
        try define(name, kind: .enum, at: loc(path + [1]))
        // Enum values are siblings of their enum, not children (C++ scoping rules).
        for (i, value) in enumProto.value.enumerated() {
            let valueName = qualify(scope, value.name)
            if let existing = symbols.add(valueName, kind: .enumValue, file: file.name) {
                let location = loc(path + [2, Int32(i), 1])
                if existing.file != file.name {
                    throw ProtoError(
                        .duplicateName, at: location,
                        "\"\(valueName)\" is already defined in file \"\(existing.file)\".")
                }
                throw ProtoError(
                    .duplicateName, at: location,
                    "\"\(value.name)\" is already defined in \"\(scope)\". Note that enum values use C++ scoping rules, meaning that enum values are siblings of their type, not children of it.  Therefore, \"\(value.name)\" must be unique within \"\(scope)\", not just within \"\(enumProto.name)\"."
                )
            }
        }
    }

    // MARK: - Name resolution

    /// Finds a symbol by full name, failing when it is defined only in files this file does not import.
    func find(_ name: String, at location: SourceLocation) throws(ProtoError) -> SymbolTable.Symbol? {
        guard let symbol = symbols[name] else { return nil }
        if symbol.kind == .package {
            // A package is visible once any file declares it: protoc resolves names through packages across files.
            return symbol
        }
        if !visibleFiles.contains(symbol.file) {
            throw ProtoError(
                .unresolvedType, at: location,
                "\"\(name)\" seems to be defined in \"\(symbol.file)\", which is not imported by \"\(file.name)\".  To use it here, please add the necessary import."
            )
        }
        return symbol
    }

    /// Resolves `name` as written, relative to the full name of the element that uses it (protoc's
    /// `LookupSymbol`: each enclosing scope is tried from the innermost out, compound names by their first part).
    func resolveType(
        _ name: String, relativeTo scope: String, at location: SourceLocation, wantMessage: Bool
    ) throws(ProtoError) -> (name: String, kind: SymbolTable.Kind) {
        func check(_ fullName: String, _ symbol: SymbolTable.Symbol) throws(ProtoError) -> (
            name: String, kind: SymbolTable.Kind
        ) {
            guard symbol.kind.isType else {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not a type.")
            }
            if wantMessage && symbol.kind != .message {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not a message type.")
            }
            return ("." + fullName, symbol.kind)
        }
        if name.hasPrefix(".") {
            let fullName = String(name.dropFirst())
            guard let symbol = try find(fullName, at: location) else {
                throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not defined.")
            }
            return try check(fullName, symbol)
        }
        switch try lookUp(name, from: scope, at: location, accepting: { $0.kind.isType }) {
        case .found(let fullName, let symbol):
            return try check(fullName, symbol)
        case .notFound:
            throw ProtoError(.unresolvedType, at: location, "\"\(name)\" is not defined.")
        case .missingInAggregate(let full):
            throw ProtoError(
                .unresolvedType, at: location,
                "\"\(name)\" is resolved to \"\(full)\", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., \".\(name)\") to start from the outermost scope."
            )
        }
    }

    /// What a relative name resolves to.
    enum ScopedLookup {
        /// The full name and its symbol.
        case found(String, SymbolTable.Symbol)
        /// Nothing of that name in any enclosing scope.
        case notFound
        /// The name's first part is an aggregate (a message or package) in an inner scope that does not hold the
        /// rest: protoc stops there rather than trying outer scopes.
        case missingInAggregate(String)
    }

    /// protoc's `LookupSymbol` for a relative `name` used in `scope`: each enclosing scope from the innermost out; a
    /// compound name by its first part, which must then be an aggregate holding the rest; a simple name only when
    /// `accept` takes its symbol (type references skip fields and values of the same name).
    func lookUp(
        _ name: String, from scope: String, at location: SourceLocation,
        accepting accept: (SymbolTable.Symbol) -> Bool
    ) throws(ProtoError) -> ScopedLookup {
        let firstPart = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        var scopeToTry = scope
        while true {
            guard let dot = scopeToTry.lastIndex(of: ".") else {
                guard let symbol = try find(name, at: location) else { return .notFound }
                return .found(name, symbol)
            }
            scopeToTry = String(scopeToTry[..<dot])
            let candidate = scopeToTry + "." + firstPart
            guard let symbol = try find(candidate, at: location) else { continue }
            if firstPart.count < name.count {
                guard symbol.kind.isAggregate else { continue }
                let full = scopeToTry + "." + name
                guard let resolved = try find(full, at: location) else { return .missingInAggregate(full) }
                return .found(full, resolved)
            }
            if accept(symbol) { return .found(candidate, symbol) }
        }
    }
}
