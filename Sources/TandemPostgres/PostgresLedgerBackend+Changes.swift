import NIOCore
import PostgresNIO
import Tandem

extension PostgresLedgerBackend: LedgerChangeFeed {
    /// Listens on ``channel`` on a connection of its own and calls `onChange` (on the connection's event loop) for
    /// every change of this ledger's state row `name`.
    public func watchChanges(of name: String, _ onChange: @escaping @Sendable () -> Void) throws(LedgerError)
        -> any LedgerChangeWatch
    {
        let connection: PostgresConnection
        do { connection = try listener() } catch { throw LedgerError(error, fallback: .openFailed) }
        let prefix = ledger + " " + name + " "
        let context = connection.addListener(channel: Self.channel) { _, notification in
            if notification.payload.hasPrefix(prefix) { onChange() }
        }
        do {
            _ = try connection.simpleQuery("LISTEN \(Self.channel)").wait()
        } catch {
            context.stop()
            _ = try? connection.close().wait()
            throw LedgerError(
                code: .readFailed, path: self.name,
                message: "cannot listen on \(Self.channel): \(String(describing: error))"
            )
        }
        return PostgresChangeWatch(connection: connection, context: context)
    }
}

/// A LISTEN on a connection of its own.
struct PostgresChangeWatch: LedgerChangeWatch {
    let connection: PostgresConnection
    let context: PostgresListenContext

    var isActive: Bool { !connection.isClosed }

    func close() {
        context.stop()
        connection.close().whenComplete { _ in }
    }
}
