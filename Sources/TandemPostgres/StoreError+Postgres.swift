import PostgresNIO
import Tandem

extension StoreError {
    /// Maps a postgres-nio failure to a store error naming the store: connection failures become
    /// `StoreError.connectionLost` (retried by the session), the server's SQLSTATE classes their nearest code,
    /// the rest `fallback`.
    init(postgres error: any Error, location: PostgresLocation, fallback: Code) {
        let path = location.description
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
            let code: Code
            switch state {
            case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03": code = .connectionLost
            case "40001", "40P01", "55P03": code = .locked
            case "53100": code = .full
            case "25006": code = .readOnly
            case _ where state.hasPrefix("28"), "3D000": code = .openFailed
            default: code = fallback
            }
            self.init(code: code, path: path, message: message)
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

    /// Whether the connection is gone, so that running the call again on a new connection may succeed.
    var connectionLost: Bool { code == .connectionLost }
}
