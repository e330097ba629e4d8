import PostgresNIO
import Tandem

extension StoreError {
    /// Maps a postgres-nio failure to a store error naming the store: connection failures become
    /// `StoreError.connectionLost` (retried by the session), the server's SQLSTATE classes their nearest code,
    /// the rest `fallback`.
    init(postgres error: any Error, location: PostgresLocation, fallback: Code) {
        let path = location.description
        if let error = error as? PostgresError {
            // postgres-nio's prepared-statement calls report errors in this older form.
            switch error {
            case .server(let response):
                let state = response.fields[.sqlState] ?? ""
                var message = response.fields[.message] ?? "the server reported an error"
                if let detail = response.fields[.detail] { message += " (\(detail))" }
                self.init(
                    code: Self.code(sqlState: state, fallback: fallback), path: location.description,
                    message: message + " [SQLSTATE \(state)]")
            case .connectionClosed:
                self.init(code: .connectionLost, path: location.description, message: "the connection closed")
            case .protocol(let message):
                self.init(code: fallback, path: location.description, message: message)
            }
            return
        }
        guard let error = error as? PSQLError else {
            // Refused, reset or timed-out sockets and name resolution: the server is not there (yet).
            self.init(code: .connectionLost, path: path, message: "the connection failed: \(error)")
            return
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            var message = error.serverInfo?[.message] ?? "the server reported an error"
            if let detail = error.serverInfo?[.detail] { message += " (\(detail))" }
            message += " [SQLSTATE \(state)]"
            self.init(code: Self.code(sqlState: state, fallback: fallback), path: path, message: message)
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            self.init(code: .connectionLost, path: path, message: "the connection failed (\(error.code))\(cause)")
        case .sslUnsupported:
            self.init(code: .openFailed, path: path, message: "the server does not support TLS (sslmode requires it)")
        case .authMechanismRequiresPassword:
            self.init(
                code: .openFailed, path: path,
                message: "the server asks for a password: put it in the URL or in PGPASSWORD")
        default:
            self.init(code: fallback, path: path, message: "\(error.code)")
        }
    }

    /// The code of a server error's SQLSTATE.
    private static func code(sqlState state: String, fallback: Code) -> Code {
        switch state {
        case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03": return .connectionLost
        case "40001", "40P01", "55P03": return .locked
        case "53100": return .full
        case "25006": return .readOnly
        case _ where state.hasPrefix("28"), "3D000": return .openFailed
        default: return fallback
        }
    }

    /// Whether the connection is gone, so that running the call again on a new connection may succeed.
    var connectionLost: Bool { code == .connectionLost }
}
