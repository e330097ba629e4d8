import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization
import Tandem

/// One PostgreSQL connection used synchronously from the caller's thread (the record backend's protocol is
/// synchronous, like SQLite's): each call holds the connection for its whole transaction, and a connection lost
/// mid-call is opened again with backoff and the call run again from its start.
final class PostgresSession: Sendable {
    /// How long, in all, a call keeps reconnecting before it fails.
    static let defaultRetryBudget: Duration = .seconds(30)

    let location: PostgresLocation
    let retryBudget: Duration
    let onEvent: (@Sendable (PostgresConnectionEvent) -> Void)?
    /// Statements run on every new connection before its first call (session settings).
    let setup: [String]
    private let connection: Mutex<OpenConnection?>
    private let logger: Logger
    private let tls: PostgresConnection.Configuration.TLS

    init(
        location: PostgresLocation, retryBudget: Duration = PostgresSession.defaultRetryBudget,
        onEvent: (@Sendable (PostgresConnectionEvent) -> Void)? = nil, setup: [String] = []
    ) throws(StoreError) {
        self.location = location
        self.setup = setup
        self.retryBudget = retryBudget
        self.onEvent = onEvent
        var logger = Logger(label: "tandem.postgres")
        logger.logLevel = .critical
        self.logger = logger
        do {
            switch location.sslMode {
            case .disable:
                tls = .disable
            case .prefer, .require, .verifyCA, .verifyFull:
                var configuration = TLSConfiguration.makeClientConfiguration()
                switch location.sslMode {
                case .verifyFull: configuration.certificateVerification = .fullVerification
                case .verifyCA: configuration.certificateVerification = .noHostnameVerification
                default: configuration.certificateVerification = .none
                }
                let context = try NIOSSLContext(configuration: configuration)
                tls = location.sslMode == .prefer ? .prefer(context) : .require(context)
            }
        } catch {
            throw StoreError(
                code: .openFailed, path: location.description, message: "cannot set up TLS: \(error)")
        }
        connection = Mutex(nil)
        // Connect now, so that a wrong URL or password fails at open, naming the store.
        try run { _ throws(StoreError) in }
    }

    deinit {
        connection.withLock { connection in
            let closing: EventLoopFuture<Void>? = connection?.connection.close()
            _ = try? closing?.wait()
            connection = nil
        }
    }

    /// Runs `body` with the connection held; if the connection is lost (or cannot be opened), opens it again with
    /// backoff and runs `body` again, until ``retryBudget`` is spent. `body` must be safe to run again: a transaction
    /// that did not commit left nothing behind.
    func run<T>(_ body: (Client) throws(StoreError) -> T) throws(StoreError) -> T {
        let started = ContinuousClock.now
        let deadline = started + retryBudget
        var delay: Duration = .milliseconds(50)
        var attempt = 0
        var lostAt: ContinuousClock.Instant?
        while true {
            attempt += 1
            let outcome = connection.withLock { (connection) -> Result<T, StoreError> in
                do throws(StoreError) {
                    let open: OpenConnection
                    if let existing = connection, !existing.connection.isClosed {
                        open = existing
                    } else {
                        connection = nil
                        open = try connect()
                        connection = open
                        let client = Client(open: open, location: location, logger: logger)
                        for statement in setup { try client.execute(statement) }
                    }
                    return .success(try body(Client(open: open, location: location, logger: logger)))
                } catch {
                    if error.connectionLost, let lost = connection {
                        let closing: EventLoopFuture<Void> = lost.connection.close()
                        _ = try? closing.wait()
                        connection = nil
                    }
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(let value):
                if let lostAt {
                    onEvent?(.restored(store: location.description, attempts: attempt, downtime: .now - lostAt))
                }
                return value
            case .failure(let error):
                if error.connectionLost, lostAt == nil {
                    lostAt = .now
                    onEvent?(.lost(store: location.description, reason: error.message))
                }
                guard error.connectionLost, ContinuousClock.now + delay < deadline else {
                    if error.connectionLost, attempt > 1 {
                        var error = error
                        error.message += " (gave up after \(attempt) attempts)"
                        throw error
                    }
                    throw error
                }
                Thread.sleep(forTimeInterval: delay.seconds)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    /// Sends `statement` on the open connection and returns its answer's future without waiting for it (nil when no
    /// connection is open): a prefetch, not retried when the connection is lost (the caller then runs the statement
    /// again through ``run(_:)``). Statements on one connection are answered in the order they were sent.
    func send(_ statement: PreparedStatement) -> EventLoopFuture<[PostgresRow]>? {
        connection.withLock { connection in
            guard let open = connection, !open.connection.isClosed else { return nil }
            return open.answer(statement)
        }
    }

    /// Runs `body` in a transaction (`BEGIN` ... `COMMIT`, rolled back when `body` throws), reconnecting as ``run(_:)``.
    func transaction<T>(_ body: (Client) throws(StoreError) -> T) throws(StoreError) -> T {
        try run { (client) throws(StoreError) -> T in
            try client.execute("BEGIN")
            do throws(StoreError) {
                let value = try body(client)
                try client.execute("COMMIT")
                return value
            } catch {
                if !error.connectionLost { _ = try? client.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// A new connection of its own to the session's server (for LISTEN), outside the session's retries.
    func openConnection() throws(StoreError) -> PostgresConnection {
        try connect().connection
    }

    private func connect() throws(StoreError) -> OpenConnection {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger
            ).wait()
            return OpenConnection(connection)
        } catch {
            throw StoreError(postgres: error, location: location, fallback: .openFailed)
        }
    }
}

extension PostgresSession {
    /// The connection, while a call holds it.
    struct Client {
        let open: OpenConnection
        let location: PostgresLocation
        let logger: Logger

        /// Runs one statement and returns its rows.
        @discardableResult
        func query(_ query: PostgresQuery, key: String? = nil, fallback: StoreError.Code = .readFailed)
            throws(StoreError) -> PostgresQueryResult
        {
            do {
                return try open.answer(query, logger: logger).wait()
            } catch {
                var mapped = StoreError(postgres: error, location: location, fallback: fallback)
                mapped.key = mapped.key ?? key
                mapped.sql = query.sql
                throw mapped
            }
        }

        /// Executes a prepared statement (preparing it on this connection the first time) and returns its rows.
        @discardableResult
        func execute(_ statement: PreparedStatement, key: String? = nil, fallback: StoreError.Code = .writeFailed)
            throws(StoreError) -> [PostgresRow]
        {
            do {
                return try open.answer(statement).wait()
            } catch {
                var mapped = StoreError(postgres: error, location: location, fallback: fallback)
                mapped.key = mapped.key ?? key
                mapped.sql = statement.sql
                throw mapped
            }
        }

        /// Runs one statement without results.
        func execute(_ sql: String) throws(StoreError) {
            try query(PostgresQuery(unsafeSQL: sql), fallback: .writeFailed)
        }

        /// Runs `body` inside a savepoint: its statements are undone alone when it fails, and the transaction goes on.
        func savepoint<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> Result<T, StoreError> {
            try execute("SAVEPOINT tandem_row")
            do throws(StoreError) {
                let value = try body()
                try execute("RELEASE SAVEPOINT tandem_row")
                return .success(value)
            } catch {
                if error.connectionLost { throw error }
                try execute("ROLLBACK TO SAVEPOINT tandem_row")
                return .failure(error)
            }
        }
    }
}

/// An open connection and the one statement waiting on it. postgres-nio never completes a statement written to a
/// connection that has just closed, so the statement waiting when the connection closes is failed here (once per
/// connection, not per statement); `pending` and `closed` are only touched on the connection's event loop.
final class OpenConnection: @unchecked Sendable {
    let connection: PostgresConnection
    /// Fail the statements waiting for their answers (a prefetched page may wait beside a call's statement), by the
    /// number each was given (used on the event loop only).
    private var pending: [Int: (any Error) -> Void] = [:]
    private var nextPending = 0
    private var closed = false
    /// The statements prepared on this connection, by SQL text (used on the event loop only).
    private var statements: [String: PreparedQuery] = [:]

    init(_ connection: PostgresConnection) {
        self.connection = connection
        connection.closeFuture.whenComplete { [self] _ in
            closed = true
            let waiting = pending
            pending = [:]
            for fail in waiting.values {
                fail(ConnectionGone(reason: "the connection closed while a statement waited for its answer"))
            }
        }
    }

    /// Sends `query` (from the event loop) and completes with its answer, or fails when the connection closes first.
    func answer(_ query: PostgresQuery, logger: Logger) -> EventLoopFuture<PostgresQueryResult> {
        waiting(for: PostgresQueryResult.self) { [connection] in connection.query(query, logger: logger) }
    }

    /// Executes `statement`, preparing it first if this connection has not yet; completes with its rows, or fails
    /// when the connection closes first.
    func answer(_ statement: PreparedStatement) -> EventLoopFuture<[PostgresRow]> {
        let eventLoop = connection.eventLoop
        return waiting(for: [PostgresRow].self) { [self] in
            let prepared: EventLoopFuture<PreparedQuery>
            if let known = statements[statement.sql] {
                prepared = eventLoop.makeSucceededFuture(known)
            } else {
                prepared = connection.prepare(query: statement.sql).hop(to: eventLoop).map { [self] query in
                    statements[statement.sql] = query
                    return query
                }
            }
            return prepared.flatMap { $0.execute(statement.values) }
        }
    }

    /// Starts `send` on the event loop and completes with its result, or fails when the connection closes first.
    private func waiting<Value: Sendable>(
        for: Value.Type, _ send: @escaping @Sendable () -> EventLoopFuture<Value>
    ) -> EventLoopFuture<Value> {
        let eventLoop = connection.eventLoop
        let promise = eventLoop.makePromise(of: Value.self)
        eventLoop.execute { [self] in
            guard !closed else {
                promise.fail(ConnectionGone(reason: "the connection is closed"))
                return
            }
            let number = nextPending
            nextPending += 1
            pending[number] = { promise.fail($0) }
            send().hop(to: eventLoop).whenComplete { [self] result in
                // Absent: the close already failed it.
                guard pending.removeValue(forKey: number) != nil else { return }
                promise.completeWith(result)
            }
        }
        return promise.futureResult
    }
}

/// A statement sent to a connection that closed before it was answered: the call runs again on a new connection.
private struct ConnectionGone: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

extension Duration {
    fileprivate var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
