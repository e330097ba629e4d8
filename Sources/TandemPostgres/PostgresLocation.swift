import Foundation
import Tandem

/// Where a PostgreSQL store or ledger lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?table=NAME&sslmode=MODE`
/// (DESIGN section 10). `postgresql://` is accepted too; the password comes from the URL or from `PGPASSWORD`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without certificate checks (libpq's default).
        case prefer
        /// TLS always, without certificate checks.
        case require
        /// TLS always, the certificate checked against the trusted roots (not the host name).
        case verifyCA = "verify-ca"
        /// TLS always, the certificate and the host name checked.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The role's password (never printed).
    public var password: String?
    /// The database.
    public var database: String
    /// The table the URL names (`?table=`), or nil for the default of its role.
    public var table: String?
    /// TLS use.
    public var sslMode: SSLMode
    /// How the server lists the connections (`pg_stat_activity.application_name`).
    public var applicationName: String

    /// Creates a location.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, user: String, password: String? = nil, database: String,
        table: String? = nil, sslMode: SSLMode = .prefer, applicationName: String = "tandem"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.table = table
        self.sslMode = sslMode
        self.applicationName = applicationName
    }

    /// Whether `argument` is a PostgreSQL URL (rather than a file path).
    public static func isURL(_ argument: String) -> Bool {
        argument.hasPrefix("postgres://") || argument.hasPrefix("postgresql://")
    }

    /// Parses a store URL. Throws `StoreError.invalidArgument` naming the URL (without its password) and the
    /// part that is wrong.
    ///
    /// - Parameters:
    ///   - url: The URL.
    ///   - environment: Where `PGPASSWORD` is looked up when the URL has no password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        let shown = Self.redacting(url)
        func fail(_ message: String) -> StoreError {
            StoreError(code: .invalidArgument, path: shown, message: message)
        }
        guard Self.isURL(url) else { throw fail("a PostgreSQL URL starts with postgres:// or postgresql://") }
        guard let components = URLComponents(string: url) else { throw fail("not a valid URL") }
        guard let host = components.host, !host.isEmpty else { throw fail("the URL names no host") }
        guard let user = components.user, !user.isEmpty else {
            throw fail("the URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw fail("the URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        var table: String?
        var sslMode = SSLMode.prefer
        var applicationName = "tandem"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "table":
                guard let value = item.value, Self.isIdentifier(value) else {
                    throw fail(
                        "table '\(item.value ?? "")' is not a plain table name (letters, digits and _, optionally "
                            + "schema-qualified as SCHEMA.TABLE)")
                }
                table = value
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail("sslmode '\(item.value ?? "")' is not one of \(modes)")
                }
                sslMode = mode
            case "application_name":
                applicationName = item.value ?? ""
            default:
                throw fail("unknown URL parameter '\(item.name)' (known: table, sslmode, application_name)")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, user: user,
            password: components.password ?? environment["PGPASSWORD"], database: database, table: table,
            sslMode: sslMode, applicationName: applicationName)
    }

    /// The same location naming another table.
    public func naming(table: String) -> PostgresLocation {
        var copy = self
        copy.table = table
        return copy
    }

    /// Whether both locations are one database on one server (so one transaction can span their tables).
    public func sameDatabase(as other: PostgresLocation) -> Bool {
        host == other.host && port == other.port && database == other.database
    }

    /// Whether both locations are one server (one write-ahead log: a commit that is flushed flushes every commit
    /// before it).
    public func sameServer(as other: PostgresLocation) -> Bool {
        host == other.host && port == other.port
    }

    /// The URL without its password: how errors, logs and reports name the store.
    public var description: String {
        var text = "postgres://\(user)@\(host):\(port)/\(database)"
        var parameters: [String] = []
        if let table { parameters.append("table=\(table)") }
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if applicationName != "tandem" {
            parameters.append(
                "application_name=\(applicationName.addingPercentEncoding(withAllowedCharacters: Self.plain) ?? "")")
        }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// Characters a URL parameter's value shows as they are.
    private static let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))

    /// `url` with any password replaced by `***` (for showing a store or ledger argument).
    public static func redacting(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// A table name we quote ourselves: `name` or `schema.name`, each part letters, digits and `_`, not starting
    /// with a digit, at most 63 bytes (PostgreSQL's identifier limit).
    static func isIdentifier(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.utf8.first, part.utf8.count <= 63, !(48...57).contains(first) else { return false }
            return part.utf8.allSatisfy {
                (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 95
            }
        }
    }

    /// The table as a quoted SQL identifier (`"schema"."name"`).
    static func quoted(_ table: String) -> String {
        table.split(separator: ".").map { "\"\($0)\"" }.joined(separator: ".")
    }
}
